import { DataSource } from 'typeorm';
import { detectTransactionPooler } from '../../libs/tenancy/src/connection/pooler-check';
import { describeWith, pgAdmin, usePostgresDatabase } from '../support';

interface ProbeClient {
  query(sql: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
  once(event: 'end', listener: () => void): unknown;
}
type ClientClass = new (options: unknown) => ProbeClient;

/**
 * Issue 11 (faults under load): a pg client whose backend dies emits 'error'; with no listener the
 * process goes down (57P01, ERR_UNHANDLED_ERROR). The start-up pooler probe opens two plain
 * clients of its own: one of them is terminated mid-probe (pg_terminate_backend, as a failover or
 * an operator would), deterministically, between the probe's statements.
 */
describeWith('postgres', 'pooler probe: a backend terminated mid-probe is an error, not a crash', () => {
  const db = usePostgresDatabase();

  it('the probe rejects cleanly and nothing is emitted unhandled', async () => {
    const ds = await new DataSource({ type: 'postgres', url: db.url }).initialize();
    const pool = (ds.driver as unknown as { master: { Client: ClientClass } }).master;
    const Real = pool.Client;
    const made: ProbeClient[] = [];
    let firstPid: unknown;
    // The real pg Client; only the moment of the termination is chosen (before the second client's BEGIN).
    pool.Client = class extends (Real as unknown as new (o: unknown) => ProbeClient) {
      constructor(options: unknown) {
        super(options);
        made.push(this);
      }
      override async query(sql: string, params?: unknown[]) {
        if (this === made[1] && sql === 'BEGIN' && firstPid !== undefined) {
          const ended = new Promise<void>((resolve) => made[0].once('end', resolve));
          await pgAdmin(db.url, `SELECT pg_terminate_backend(${Number(firstPid)})`);
          await ended;
        }
        const result = await super.query(sql, params);
        if (this === made[0] && firstPid === undefined) firstPid = result.rows[0]?.pid;
        return result;
      }
    } as unknown as ClientClass;
    try {
      await expect(detectTransactionPooler(ds)).rejects.toThrow(/terminat|Connection terminated|not queryable/i);
      expect(made).toHaveLength(2);
      expect(firstPid).toEqual(expect.any(Number));
    } finally {
      pool.Client = Real;
      await ds.destroy();
    }
  });
});
