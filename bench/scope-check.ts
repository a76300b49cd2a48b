// The scoping check's cost (issue 11): `node -r ./tools/register.js bench/scope-check.ts`.
// In-process, no server: a schema view and an RLS view whose runners' driver calls are stubbed,
// so what is timed is the library's own work per statement (classification, rewrite, check).
import 'reflect-metadata';
import { Column, DataSource, Entity, PrimaryGeneratedColumn, type QueryRunner } from 'typeorm';
import {
  SCHEMA_PLACEHOLDER,
  createTenantView,
  type ViewBinding,
} from '../libs/tenancy/src/connection/shared-pool-view';
import { pgRlsBinding } from '../libs/tenancy/src/isolation/pg-rls.binding';
import { pgSchemaBinding } from '../libs/tenancy/src/isolation/pg-schema.binding';
import { SET_TENANT, setTenant } from '../libs/tenancy/src/isolation/pg-session-scope';

@Entity('orders')
class Order {
  @PrimaryGeneratedColumn() id!: number;
  @Column() label!: string;
  @Column() customerEmail!: string;
}

const client = { query: async () => ({ rows: [] }), getTransactionStatus: () => 'I' };

async function base(): Promise<DataSource> {
  const ds = new DataSource({ type: 'postgres', schema: SCHEMA_PLACEHOLDER, entities: [Order] });
  await (ds as unknown as { buildMetadatas(): Promise<void> }).buildMetadatas();
  const driver = ds.driver as unknown as { createQueryRunner(mode: string): QueryRunner };
  const original = driver.createQueryRunner.bind(driver);
  (driver as { createQueryRunner: unknown }).createQueryRunner = function (this: unknown, mode: string) {
    const runner = original.call(this, mode) as QueryRunner;
    (runner as { connect: unknown }).connect = async () => client;
    (runner as { query: unknown }).query = async () => ({ records: [], raw: [], affected: 0 });
    return runner;
  };
  return ds;
}

/** µs per call: best of 7 batches after a warm-up (the least disturbed on a shared machine). */
async function time(iterations: number, fn: () => unknown): Promise<number> {
  for (let i = 0; i < 20_000; i++) await fn();
  let best = Infinity;
  for (let b = 0; b < 7; b++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await fn();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1000 / iterations);
  }
  return best;
}

const RAW =
  'SELECT o.id, o.label, c.name FROM orders o JOIN customers c ON c.id = o.customer_id, tags t ' +
  "WHERE o.label <> 'x' AND t.id = o.tag_id AND o.id IN (SELECT id FROM orders WHERE qty > $1) ORDER BY o.id";

const without = (binding: ViewBinding): ViewBinding => ({ ...binding, check: undefined });

async function main(): Promise<void> {
  const n = Number(process.env.ITERATIONS ?? 100_000);
  const ds = await base();
  const schema = pgSchemaBinding('t_acme', 'session', 't_');
  const rls = pgRlsBinding('00000000-0000-4000-8000-000000000001', 'session', 't_');
  await setTenant(client, SET_TENANT, '00000000-0000-4000-8000-000000000001', '"public"');
  const find = (view: DataSource) => () => view.getRepository(Order).findBy({ id: 1 });
  const sql = await ds.getRepository(Order).createQueryBuilder('o').where('o.id = :id', { id: 1 }).getQuery();
  const rewritten = schema.rewrite!(sql);
  const rows = {
    'schema check alone (one find SQL)': await time(n * 10, () => schema.check!(rewritten, 'orm', client)),
    'RLS check alone': await time(n * 10, () => rls.check!(sql, 'orm', client)),
    // Raw SQL is read (schemas named, scope changes): only raw statements pay this.
    'schema raw check (a raw join)': await time(n, () => schema.check!(RAW, 'raw', client)),
    'RLS raw check (a raw join)': await time(n, () => rls.check!(RAW, 'raw', client)),
    'schema find, check off': await time(n, find(createTenantView(ds, without(schema)))),
    'schema find, check on': await time(n, find(createTenantView(ds, schema))),
    'RLS find, check off': await time(n, find(createTenantView(ds, { ...without(rls), onCheckout: undefined }))),
    'RLS find, check on': await time(n, find(createTenantView(ds, { ...rls, onCheckout: undefined }))),
  };
  for (const [name, us] of Object.entries(rows)) console.log(`${name.padEnd(36)} ${us.toFixed(3)} µs`);
}

void main();
