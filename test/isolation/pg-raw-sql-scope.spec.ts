import { Column, Entity, PrimaryGeneratedColumn, type DataSource } from 'typeorm';
import type { ScopeMode } from '../../libs/tenancy/src/config/tenancy-options.interface';
import type { TenantConnectionManager } from '../../libs/tenancy/src/connection/tenant-connection.manager';
import { testTenant } from '../../libs/tenancy/src/testing/test-tenant';
import { describeWith, pgAdmin, usePostgresDatabase } from '../support';
import { connectManager } from './support/connection-manager';

@Entity('orders')
class Order {
  @PrimaryGeneratedColumn() id!: number;
  @Column() label!: string;
}

const labels = (rows: unknown) => (rows as Array<{ label: string }>).map((r) => r.label);

/** Issue 11 items 9 (PostgreSQL) and 13: raw SQL on every runner of a schema view reads the tenant's schema. */
describe.each<ScopeMode>(['session', 'transaction'])('raw SQL on schema views (scopeMode %s)', (scopeMode) => {
  describeWith('postgres', 'PostgreSQL', () => {
    const db = usePostgresDatabase();
    let manager: TenantConnectionManager;
    let ds: DataSource;
    const a = testTenant('acme');

    beforeAll(async () => {
      await pgAdmin(
        db.url,
        'CREATE SCHEMA t_acme',
        'CREATE SCHEMA t_beta',
        "CREATE TABLE t_acme.orders (id serial primary key, label text not null check (label <> 'bad'))",
        'CREATE TABLE t_beta.orders (id serial primary key, label text not null)',
        'CREATE TABLE public.orders (id serial primary key, label text not null)',
        "INSERT INTO t_acme.orders (label) VALUES ('a1')",
        "INSERT INTO t_beta.orders (label) VALUES ('b1')",
        "INSERT INTO public.orders (label) VALUES ('public-row')",
      );
      ({ manager } = await connectManager({ databaseUrl: db.url, entities: [Order], poolSize: 2, scopeMode }));
      ds = await manager.getDataSource(a);
    });
    afterAll(() => manager?.onApplicationShutdown());

    it('scopes raw SQL on a manual QueryRunner', async () => {
      const runner = ds.createQueryRunner();
      try {
        expect(labels(await runner.query('SELECT label FROM orders'))).toEqual(['a1']);
      } finally {
        await runner.release();
      }
    });

    it('scopes ds.query(sql, params, runner) and manager.query inside a transaction', async () => {
      const runner = ds.createQueryRunner();
      try {
        expect(labels(await ds.query('SELECT label FROM orders WHERE id = $1', [1], runner))).toEqual(['a1']);
      } finally {
        await runner.release();
      }
      const inTx = await ds.transaction((em) => em.query('SELECT label FROM orders'));
      expect(labels(inTx)).toEqual(['a1']);
    });

    it('keeps raw SQL scoped after a failed savepoint (import pattern)', async () => {
      const count = await ds.transaction(async (em) => {
        for (const label of ['bad', 'x1', 'x2']) {
          await em
            .transaction((inner) => inner.query('INSERT INTO orders (label) VALUES ($1)', [label]))
            .catch(() => 0);
        }
        return em.query("SELECT count(*)::int AS n FROM orders WHERE label LIKE 'x%'");
      });
      expect(count).toEqual([{ n: 2 }]);
      await pgAdmin(db.url, "DELETE FROM t_acme.orders WHERE label LIKE 'x%'");
    });

    it('keeps raw SQL scoped after a rolled-back transaction on a manual QueryRunner', async () => {
      const runner = ds.createQueryRunner();
      try {
        await runner.startTransaction();
        await runner.query("INSERT INTO orders (label) VALUES ('gone')");
        await runner.rollbackTransaction();
        expect(labels(await runner.query('SELECT label FROM orders'))).toEqual(['a1']);
      } finally {
        await runner.release();
      }
    });
  });
});
