// B4: provisioning through the library (store + TenantProvisioner, as test/support does) against a
// raw SQL script doing the same DDL; then one new migration over every tenant at concurrency 4.
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { TenancyModule, TenantStore, type Tenant } from 'nestjs-tenancy';
import { TenantProvisioner } from '../libs/tenancy/src/isolation/tenant-provisioner';

export interface B4Result {
  tenants: number;
  register: { libMs: number; rawMs: number; libRoundTrips: number; rawRoundTrips: number };
  migrate: { libMs: number; rawMs: number; libRoundTrips: number; rawRoundTrips: number; concurrency: number };
}

const TABLES = [
  'CREATE TABLE customers (id serial PRIMARY KEY, email varchar(255) NOT NULL UNIQUE, tenant_id varchar(36))',
  'CREATE TABLE products (id serial PRIMARY KEY, sku varchar(64) NOT NULL UNIQUE, price numeric(12,2) NOT NULL, tenant_id varchar(36))',
  'CREATE TABLE invoices (id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id), product_id int NOT NULL REFERENCES products(id), total numeric(12,2) NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), tenant_id varchar(36))',
];
const NEW_MIGRATION = [
  'ALTER TABLE invoices ADD COLUMN note text',
  'CREATE INDEX invoices_created_at_idx ON invoices (created_at)',
];

class CreateTables1700000000001 implements MigrationInterface {
  name = 'CreateTables1700000000001';
  async up(runner: QueryRunner): Promise<void> {
    for (const sql of TABLES) await runner.query(sql);
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE invoices, products, customers');
  }
}
class AddInvoiceNote1700000000002 implements MigrationInterface {
  name = 'AddInvoiceNote1700000000002';
  async up(runner: QueryRunner): Promise<void> {
    for (const sql of NEW_MIGRATION) await runner.query(sql);
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX invoices_created_at_idx');
    await runner.query('ALTER TABLE invoices DROP COLUMN note');
  }
}

let roundTrips = 0;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pgProto = (require('pg') as { Client: { prototype: { query: (...a: unknown[]) => unknown } } }).Client.prototype;
const originalQuery = pgProto.query;
pgProto.query = function (this: unknown, ...args: unknown[]) {
  roundTrips++;
  return originalQuery.apply(this, args);
};

async function appContext(url: string, migrations: Array<new () => MigrationInterface>) {
  @Module({
    imports: [TenancyModule.forRoot({ databaseUrl: url, isolationStrategy: 'schema', schemaPrefix: 'p_', migrations })],
  })
  class B4Module {}
  return NestFactory.createApplicationContext(B4Module, { logger: ['error', 'warn'] });
}

async function timed(fn: () => Promise<void>): Promise<{ ms: number; trips: number }> {
  const [start, trips] = [performance.now(), roundTrips];
  await fn();
  return { ms: performance.now() - start, trips: roundTrips - trips };
}

async function inParallel<T>(
  items: T[],
  concurrency: number,
  fn: (item: T, worker: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (next < items.length) await fn(items[next++], worker);
    }),
  );
}

/** Both sides over the same blocks of tenants, alternated (lib, raw, raw, lib, ...) to cancel drift. */
async function alternated(
  blocks: string[][],
  lib: (ids: string[]) => Promise<void>,
  raw: (ids: string[]) => Promise<void>,
) {
  const total = { lib: { ms: 0, trips: 0 }, raw: { ms: 0, trips: 0 } };
  for (const [i, ids] of blocks.entries()) {
    const order: Array<'lib' | 'raw'> = i % 2 === 0 ? ['lib', 'raw'] : ['raw', 'lib'];
    for (const side of order) {
      const t = await timed(() => (side === 'lib' ? lib(ids) : raw(ids)));
      total[side].ms += t.ms;
      total[side].trips += t.trips;
    }
  }
  return total;
}

async function main(): Promise<B4Result> {
  const {
    url,
    tenants: n,
    concurrency,
  } = JSON.parse(process.env.BENCH_INPUT ?? '{}') as { url: string; tenants: number; concurrency: number };
  const ids = Array.from({ length: n }, (_, i) => String(i + 1).padStart(5, '0'));
  const blocks = (size: number) =>
    Array.from({ length: Math.ceil(n / size) }, (_, i) => ids.slice(i * size, (i + 1) * size));
  const raw = await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const c = new Client({ connectionString: url });
      await c.connect();
      return c;
    }),
  );

  let app = await appContext(url, [CreateTables1700000000001]);
  const [store, provisioner] = [app.get<TenantStore>(TenantStore), app.get(TenantProvisioner)];
  const register = await alternated(
    blocks(10),
    async (block) => {
      for (const id of block) {
        const tenant = await store.create({
          identifier: `pl-${id}`,
          name: `pl-${id}`,
          isolationStrategy: 'schema',
          status: 'active',
        });
        await provisioner.createStorage(tenant);
        await provisioner.migrate(tenant);
      }
    },
    async (block) => {
      const q = (sql: string, params?: unknown[]) => raw[0].query(sql, params);
      for (const id of block) {
        await q('BEGIN');
        await q(
          `INSERT INTO tenants (id, identifier, name, status, isolation_strategy, tier, metadata, created_at, updated_at)
           VALUES (gen_random_uuid(), $1, $1, 'active', 'schema', 'standard', '{}', now(), now())`,
          [`pr-${id}`],
        );
        await q(`CREATE SCHEMA "r_pr_${id}"`);
        await q(`SET LOCAL search_path TO "r_pr_${id}"`);
        for (const sql of TABLES) await q(sql);
        await q(
          'CREATE TABLE tenancy_migrations (id serial PRIMARY KEY, "timestamp" bigint NOT NULL, name varchar NOT NULL)',
        );
        await q(
          `INSERT INTO tenancy_migrations ("timestamp", name) VALUES (1700000000001, 'CreateTables1700000000001')`,
        );
        await q('COMMIT');
      }
    },
  );

  await app.close();
  app = await appContext(url, [CreateTables1700000000001, AddInvoiceNote1700000000002]);
  const [store2, provisioner2] = [app.get<TenantStore>(TenantStore), app.get(TenantProvisioner)];
  const byIdentifier = new Map<string, Tenant>((await store2.list()).map((t) => [t.identifier, t]));
  const migrate = await alternated(
    blocks(20),
    (block) =>
      inParallel(block, concurrency, async (id) => void (await provisioner2.migrate(byIdentifier.get(`pl-${id}`)!))),
    (block) =>
      inParallel(block, concurrency, async (id, worker) => {
        const q = (sql: string) => raw[worker].query(sql);
        await q('BEGIN');
        await q(`SET LOCAL search_path TO "r_pr_${id}"`);
        for (const sql of NEW_MIGRATION) await q(sql);
        await q(
          `INSERT INTO tenancy_migrations ("timestamp", name) VALUES (1700000000002, 'AddInvoiceNote1700000000002')`,
        );
        await q('COMMIT');
      }),
  );
  await app.close();
  await Promise.all(raw.map((c) => c.end()));
  const figures = (t: typeof register) => ({
    libMs: t.lib.ms,
    rawMs: t.raw.ms,
    libRoundTrips: t.lib.trips / n,
    rawRoundTrips: t.raw.trips / n,
  });
  return { tenants: n, register: figures(register), migrate: { ...figures(migrate), concurrency } };
}

main().then(
  (ok) => process.send?.({ ok }, () => process.exit(0)),
  (error: unknown) =>
    process.send?.({ error: error instanceof Error ? error.stack : String(error) }, () => process.exit(1)),
);
