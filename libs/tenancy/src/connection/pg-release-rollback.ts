import type { DataSource } from 'typeorm';
import { guarded } from './checkout-guard.util';
import type { PgClient } from './view-binding';

type Release = (err?: unknown) => void;
interface PgDriver {
  options: { type?: string };
  obtainMasterConnection(): Promise<[PgClient, Release]>;
}

/**
 * A PostgreSQL DataSource of its own (database strategy): every connection goes back to its pool
 * outside any transaction. TypeORM releases a manual QueryRunner as it is, so one released inside
 * its transaction, after a failed statement or after a raw BEGIN would hand that transaction to
 * the next checkout (issue 11): it is rolled back first, and destroyed if that fails. Nothing is
 * sent when no transaction is open (the ORM path). Same contract as the shared pool's views.
 */
export function rollBackOnRelease<T extends DataSource>(dataSource: T): T {
  const driver = dataSource.driver as unknown as PgDriver;
  if (driver.options.type !== 'postgres') return dataSource;
  const obtain = driver.obtainMasterConnection.bind(driver);
  driver.obtainMasterConnection = async () => {
    const [client, release] = await obtain();
    const rollingBack: Release = (err) => {
      if (err) return release(err);
      // pg ≥ 8.8 reports the state; without it the connection cannot be vouched for: destroyed.
      if (!client.getTransactionStatus) return release(new Error('transaction state unknown'));
      const status = client.getTransactionStatus();
      if (status !== 'T' && status !== 'E') return release();
      guarded(client, (c) => c.query('ROLLBACK').then(() => undefined))!.then(
        () => release(),
        (error: unknown) => release(error ?? new Error('rollback failed')),
      );
    };
    return [client, rollingBack];
  };
  return dataSource;
}
