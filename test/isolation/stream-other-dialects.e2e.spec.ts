import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { INestApplication } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { TenancyError, TenantConnectionManager, type TenancyModuleOptions } from 'nestjs-tenancy';
import { Customer, Order, ordersAppModule } from '../fixtures/orders.fixture';
import { describeWith, useMysqlDatabase } from '../support';
import { bootApp, provisionTenant } from '../support/tenancy-app';

/** Issue 11 item 11 beyond PostgreSQL: `QueryBuilder.stream()` in schema mode on MySQL/MariaDB and SQLite. */
async function twoTenants(
  options: TenancyModuleOptions,
): Promise<{ app: INestApplication; a: DataSource; b: DataSource }> {
  const app = await bootApp(ordersAppModule({ ...options, entities: [Order, Customer], cacheEnabled: false }));
  const connections = app.get(TenantConnectionManager);
  const a = await connections.getDataSource(await provisionTenant(app, 'stream-a', 'schema'));
  const b = await connections.getDataSource(await provisionTenant(app, 'stream-b', 'schema'));
  await a.getRepository(Order).save([{ label: 'a-1' }, { label: 'a-2' }]);
  await b.getRepository(Order).save({ label: 'b-1' });
  return { app, a, b };
}

const streamOrders = (ds: DataSource) => ds.getRepository(Order).createQueryBuilder('o').orderBy('o.id').stream();

describeWith('mysql', 'stream() on MySQL schema mode', () => {
  const db = useMysqlDatabase();
  let tenants: Awaited<ReturnType<typeof twoTenants>>;

  beforeAll(async () => {
    tenants = await twoTenants({ databaseUrl: db.url, schemaPrefix: db.prefix.replace(/_$/, 'st_'), poolSize: 2 });
  });
  afterAll(() => tenants?.app.close());

  it("streams the tenant's rows only", async () => {
    for (const [ds, labels] of [
      [tenants.a, ['a-1', 'a-2']],
      [tenants.b, ['b-1']],
    ] as const) {
      const rows: string[] = [];
      for await (const row of (await streamOrders(ds)) as Readable) rows.push((row as { o_label: string }).o_label);
      expect(rows).toEqual(labels);
    }
  });

  it("a raw stream on a tenant runner reads the tenant's database, never the registry or another tenant's", async () => {
    const raw = async (sql: string) => {
      const runner = tenants.a.createQueryRunner();
      try {
        const rows: unknown[] = [];
        for await (const row of (await runner.stream(sql)) as Readable) rows.push(row);
        return rows;
      } finally {
        await runner.release();
      }
    };
    // Unqualified raw SQL streams from the tenant's database, as raw query() does.
    expect((await raw('SELECT label FROM orders ORDER BY id')).map((r) => (r as { label: string }).label)).toEqual([
      'a-1',
      'a-2',
    ]);
    await expect(raw(`SELECT * FROM \`${db.name}\`.tenants`)).rejects.toThrow(TenancyError);
    const other = `${db.prefix.replace(/_$/, 'st_')}stream_b`;
    await expect(raw(`SELECT label FROM \`${other}\`.orders`)).rejects.toThrow(TenancyError);
  });
});

describe('stream() on SQLite schema mode', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tenancy-sqlite-stream-'));
  let tenants: Awaited<ReturnType<typeof twoTenants>>;

  beforeAll(async () => {
    tenants = await twoTenants({ databaseUrl: `sqlite:${join(dir, 'master.sqlite')}` });
  });
  afterAll(async () => {
    await tenants?.app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is refused with a clear error (better-sqlite3 cannot stream), and the next query still works', async () => {
    await expect(streamOrders(tenants.a)).rejects.toThrow(/Stream is not supported by sqlite driver/);
    expect((await tenants.a.getRepository(Order).find()).map((o) => o.label)).toEqual(['a-1', 'a-2']);
  });
});
