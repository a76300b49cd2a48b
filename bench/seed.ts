// A fresh PostgreSQL database per run, seeded with the same rows per tenant for every strategy.
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { TypeOrmTenantStore } from 'nestjs-tenancy';
import { Order, ROWS_PER_TENANT } from './entities';

export interface BenchDb {
  name: string;
  adminUrl: string;
  /** Ordinary role (NOSUPERUSER NOBYPASSRLS) for the RLS variant. */
  role: string;
  /** Prefix of tenant databases (database strategy), unique to this run. */
  dbPrefix: string;
  /** URL of the bench database as the superuser or the RLS role, tagged with `application_name`. */
  url(app: string, asRole?: boolean, database?: string): string;
}

export interface SeededTenant {
  id: string;
  identifier: string;
}

export interface Tenants {
  schema: SeededTenant[];
  rls: SeededTenant[];
  database: SeededTenant[];
}

export async function sql(
  url: string,
  ...statements: Array<string | [string, unknown[]]>
): Promise<Array<Record<string, unknown>>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    let rows: Array<Record<string, unknown>> = [];
    for (const s of statements)
      rows = (typeof s === 'string' ? await client.query(s) : await client.query(s[0], s[1])).rows;
    return rows;
  } finally {
    await client.end();
  }
}

export async function createBenchDb(adminUrl: string): Promise<BenchDb> {
  const token = randomBytes(3).toString('hex');
  const name = `bench_${token}`;
  const role = `bench_rls_${token}`;
  const url = (app: string, asRole = false, database = name) => {
    const u = new URL(adminUrl);
    u.pathname = `/${database}`;
    if (asRole) [u.username, u.password] = [role, 'bench'];
    u.searchParams.set('application_name', app);
    return u.toString();
  };
  const db: BenchDb = { name, adminUrl, role, dbPrefix: `b${token}_`, url };
  await sql(adminUrl, `CREATE DATABASE "${name}"`);
  await sql(
    url('bench-seed'),
    `CREATE ROLE "${role}" LOGIN PASSWORD 'bench' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE`,
    `GRANT CONNECT, CREATE ON DATABASE "${name}" TO "${role}"`,
    `GRANT USAGE, CREATE ON SCHEMA public TO "${role}"`,
    'CREATE SCHEMA base',
  );
  // The tenants table, created by the library itself, readable by the RLS role.
  await (await TypeOrmTenantStore.open(url('bench-seed'))).close();
  await sql(url('bench-seed'), `GRANT SELECT, INSERT, UPDATE, DELETE ON tenants TO "${role}"`);
  return db;
}

export async function dropBenchDb(db: BenchDb): Promise<void> {
  const extra = await sql(db.adminUrl, [
    `SELECT datname FROM pg_database WHERE starts_with(datname, $1)`,
    [db.dbPrefix],
  ]);
  for (const r of extra) await sql(db.adminUrl, `DROP DATABASE IF EXISTS "${String(r.datname)}" WITH (FORCE)`);
  await sql(db.adminUrl, `DROP DATABASE IF EXISTS "${db.name}" WITH (FORCE)`, `DROP ROLE IF EXISTS "${db.role}"`);
}

/** The DDL TypeORM generates for `orders` in `schema` (to replay cheaply for thousands of schemas). */
async function ordersDdl(url: string, schema: string, apply: boolean): Promise<string[]> {
  const ds = await new DataSource({ type: 'postgres', url, schema, entities: [Order] }).initialize();
  try {
    const log = await ds.driver.createSchemaBuilder().log();
    if (apply) await ds.synchronize();
    return log.upQueries.map((q) => q.query);
  } finally {
    await ds.destroy();
  }
}

const rowsSql = (table: string, tenantId: string | null) =>
  `INSERT INTO ${table} (label, amount, tenant_id) SELECT 'order ' || g, g, ${tenantId ? `'${tenantId}'` : 'NULL'} FROM generate_series(1, ${ROWS_PER_TENANT}) g`;

/** The baseline's one schema (`base`) with its rows. */
export async function seedBaseline(db: BenchDb): Promise<void> {
  await ordersDdl(db.url('bench-seed'), 'base', true);
  await sql(db.url('bench-seed'), rowsSql('base.orders', null));
}

/** Registers tenants in the library's `tenants` table (active, on `strategy`). */
async function insertTenants(db: BenchDb, prefix: string, count: number, strategy: string): Promise<SeededTenant[]> {
  const tenants = Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    identifier: `${prefix}-${String(i + 1).padStart(5, '0')}`,
  }));
  await sql(db.url('bench-seed'), [
    `INSERT INTO tenants (id, identifier, name, status, isolation_strategy, tier, metadata, created_at, updated_at)
     SELECT t.id, t.ident, t.ident, 'active', $3, 'standard', '{}'::jsonb, now(), now() FROM unnest($1::uuid[], $2::text[]) AS t(id, ident)`,
    [tenants.map((t) => t.id), tenants.map((t) => t.identifier), strategy],
  ]);
  return tenants;
}

/** Schema tenants `s-NNNNN`: schema `t_s_NNNNN` each, same DDL and rows. */
export async function seedSchemaTenants(db: BenchDb, count: number): Promise<SeededTenant[]> {
  const tenants = await insertTenants(db, 's', count, 'schema');
  await sql(db.url('bench-seed'), 'CREATE SCHEMA IF NOT EXISTS tpl');
  const template = await ordersDdl(db.url('bench-seed'), 'tpl', false);
  const client = new Client({ connectionString: db.url('bench-seed') });
  await client.connect();
  try {
    for (let i = 0; i < tenants.length; i += 100) {
      const batch = tenants.slice(i, i + 100).map((t) => {
        const schema = `"t_${t.identifier.replaceAll('-', '_')}"`;
        const ddl = template.map((q) => q.replaceAll('"tpl"', schema));
        return [`CREATE SCHEMA ${schema}`, ...ddl, rowsSql(`${schema}."orders"`, t.id)].join(';\n');
      });
      await client.query(`BEGIN;\n${batch.join(';\n')};\nCOMMIT`);
    }
  } finally {
    await client.end();
  }
  return tenants;
}

/** RLS tenants `r-NNNNN`: rows in the shared `public.orders`, owned by the ordinary role. */
export async function seedRlsTenants(db: BenchDb, count: number): Promise<SeededTenant[]> {
  const tenants = await insertTenants(db, 'r', count, 'rls');
  // Owned by the migration (owner) role, as the library requires; the runtime role may only use it.
  await ordersDdl(db.url('bench-seed'), 'public', true);
  await sql(
    db.url('bench-seed'),
    [
      `INSERT INTO public.orders (label, amount, tenant_id) SELECT 'order ' || g, g, t FROM unnest($1::text[]) t, generate_series(1, ${ROWS_PER_TENANT}) g`,
      [tenants.map((t) => t.id)],
    ],
    `GRANT SELECT, INSERT, UPDATE, DELETE ON public.orders TO "${db.role}"`,
    `GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "${db.role}"`,
    // The sketch's policy (the library adds its own at start-up; both read the same setting).
    'ALTER TABLE public.orders ENABLE ROW LEVEL SECURITY',
    "CREATE POLICY bench_sketch ON public.orders USING (tenant_id = current_setting('app.current_tenant', true))",
    'ANALYZE public.orders',
  );
  return tenants;
}

/** Database tenants `d-NNNNN`: one database each, cloned from a seeded template. */
export async function seedDatabaseTenants(db: BenchDb, count: number): Promise<SeededTenant[]> {
  const tenants = await insertTenants(db, 'd', count, 'database');
  const template = `${db.dbPrefix}tpl`;
  await sql(db.adminUrl, `CREATE DATABASE "${template}"`);
  await ordersDdl(db.url('bench-seed', false, template), 'public', true);
  await sql(db.url('bench-seed', false, template), rowsSql('public.orders', null));
  const client = new Client({ connectionString: db.adminUrl });
  await client.connect();
  try {
    for (const t of tenants)
      await client.query(`CREATE DATABASE "${db.dbPrefix}${t.identifier.replaceAll('-', '_')}" TEMPLATE "${template}"`);
  } finally {
    await client.end();
  }
  return tenants;
}
