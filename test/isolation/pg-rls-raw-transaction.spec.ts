import { Column, Entity, PrimaryGeneratedColumn, type DataSource, type QueryRunner } from 'typeorm';
import type { ScopeMode } from '../../libs/tenancy/src/config/tenancy-options.interface';
import type { TenantConnectionManager } from '../../libs/tenancy/src/connection/tenant-connection.manager';
import { TenantScopedEntity } from '../../libs/tenancy/src/isolation/tenant-scoped.entity';
import { testTenant } from '../../libs/tenancy/src/testing/test-tenant';
import { describeWith, useOrdinaryRole, usePostgresDatabase } from '../support';
import { connectManager } from './support/connection-manager';

@Entity('notes')
class Note extends TenantScopedEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column() body!: string;
}

interface NoticeClient {
  on(event: 'notice', listener: (notice: { message?: string }) => void): unknown;
  removeListener(event: 'notice', listener: (notice: { message?: string }) => void): unknown;
}

/**
 * A transaction the user opens with raw SQL on a runner (`BEGIN` ... `COMMIT`/`ROLLBACK`) is the
 * user's, in both scope modes (issue 11): transaction scope mode once wrapped the raw BEGIN in a
 * transaction of its own (a second BEGIN, "there is already a transaction in progress"), committed
 * that, and so committed what the user then rolled back.
 */
describe.each<ScopeMode>(['session', 'transaction'])(
  'RLS: raw transaction control on a runner (scopeMode %s)',
  (scopeMode) => {
    describeWith('postgres', 'PostgreSQL', () => {
      const db = usePostgresDatabase();
      const role = useOrdinaryRole(db);
      let manager: TenantConnectionManager;
      let ds: DataSource;
      const acme = testTenant('acme', { isolationStrategy: 'rls' });

      beforeAll(async () => {
        ({ manager } = await connectManager({
          databaseUrl: role.url,
          isolationStrategy: 'rls',
          entities: [Note],
          poolSize: 2,
          scopeMode,
        }));
        ds = await manager.getDataSource(acme);
      });
      afterAll(() => manager?.onApplicationShutdown());

      /** Runs `work` on a fresh runner; returns the server's notices (warnings) meanwhile. */
      async function onRunner(work: (runner: QueryRunner) => Promise<unknown>): Promise<string[]> {
        const runner = ds.createQueryRunner();
        const client = (await runner.connect()) as NoticeClient;
        const notices: string[] = [];
        const listen = (notice: { message?: string }) => notices.push(String(notice.message));
        client.on('notice', listen);
        try {
          await work(runner);
        } finally {
          client.removeListener('notice', listen);
          await runner.release();
        }
        return notices;
      }
      const bodies = async () => (await ds.getRepository(Note).find()).map((n) => n.body).sort();

      it('rolls back what the user rolled back', async () => {
        const notices = await onRunner(async (runner) => {
          await runner.query('BEGIN');
          await runner.query("INSERT INTO notes (body, tenant_id) VALUES ('undone', $1)", [acme.id]);
          expect(await runner.query('SELECT body FROM notes')).toEqual([{ body: 'undone' }]);
          await runner.query('ROLLBACK');
        });
        expect(notices).toEqual([]);
        expect(await bodies()).not.toContain('undone');
      });

      it('commits what the user committed, in the tenant', async () => {
        const notices = await onRunner(async (runner) => {
          await runner.query('START TRANSACTION');
          await runner.query("INSERT INTO notes (body, tenant_id) VALUES ('kept', $1)", [acme.id]);
          // TypeORM does not know of the raw transaction: without `transaction: false` it opens its own.
          await runner.manager.getRepository(Note).save({ body: 'kept-orm' }, { transaction: false });
          await runner.query('COMMIT');
        });
        expect(notices).toEqual([]);
        expect(await bodies()).toEqual(['kept', 'kept-orm']);
      });

      it('sees only the tenant inside the raw transaction', async () => {
        const other = testTenant('other', { isolationStrategy: 'rls' });
        await (await manager.getDataSource(other)).getRepository(Note).save({ body: 'theirs' });
        let seen: unknown;
        await onRunner(async (runner) => {
          await runner.query('BEGIN');
          seen = await runner.query('SELECT body FROM notes ORDER BY body');
          await runner.query('COMMIT');
        });
        expect(seen).toEqual([{ body: 'kept' }, { body: 'kept-orm' }]);
      });
    });
  },
);
