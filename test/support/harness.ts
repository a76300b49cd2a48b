import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createConnection } from 'mysql2/promise';
import Redis from 'ioredis';
import { SERVICE_VARS, readServices } from './services';

type ServiceName = keyof typeof SERVICE_VARS;
const services = readServices();
const isCI = process.env.CI === 'true';

/**
 * `describe` when the server is available; otherwise skipped with one loud line naming the
 * variable to set, except under CI=true, where a missing server fails the run.
 */
export function describeWith(service: ServiceName, name: string, fn: () => void): void {
  if (services[service]) return describe(name, fn);
  const why = services.missing[service] ?? `set ${SERVICE_VARS[service]}`;
  if (isCI) {
    describe(name, () => {
      it(`needs ${service}`, () => {
        throw new Error(`${service} is required under CI=true: ${why}`);
      });
    });
    return;
  }
  process.stderr.write(`\n!!! SKIPPED "${name}": ${service} not available — ${why}\n`);
  const skip = describe.skip;
  skip(name, fn);
}

/** A short unique token per test file, embedding the time so stale leftovers can be told apart. */
export function uniqueToken(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

export function serviceUrl(service: ServiceName): string {
  const url = services[service];
  if (!url) throw new Error(`${service} not available: set ${SERVICE_VARS[service]}`);
  return url;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** A `databaseUrlTemplate` on the server of `serverUrl` (built with a placeholder: `withDatabase` encodes braces). */
export function databaseTemplate(serverUrl: string): string {
  return withDatabase(serverUrl, 'DBNAME').replace('DBNAME', '{database_name}');
}

/** A fresh PostgreSQL database for this test file: created in beforeAll, dropped in afterAll. */
export function usePostgresDatabase(): { url: string; adminUrl: string; name: string } {
  const ctx = { url: '', adminUrl: '', name: '' };
  beforeAll(async () => {
    ctx.adminUrl = serviceUrl('postgres');
    ctx.name = `tt_${uniqueToken()}`;
    await pgAdmin(ctx.adminUrl, `CREATE DATABASE "${ctx.name}"`);
    ctx.url = withDatabase(ctx.adminUrl, ctx.name);
  });
  afterAll(async () => {
    if (ctx.name) await pgAdmin(ctx.adminUrl, `DROP DATABASE IF EXISTS "${ctx.name}" WITH (FORCE)`);
  });
  return ctx;
}

/** Runs statements on a PostgreSQL URL with a throwaway client. */
export async function pgAdmin(url: string, ...sql: string[]): Promise<Array<Record<string, unknown>>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    let rows: Array<Record<string, unknown>> = [];
    for (const s of sql) rows = (await client.query(s)).rows;
    return rows;
  } finally {
    await client.end();
  }
}

/**
 * An ordinary login role (NOSUPERUSER, NOBYPASSRLS) owning nothing, for RLS suites: connect as
 * it, or RLS proves nothing. Returns its URL on `database`; dropped in afterAll.
 */
export function useOrdinaryRole(db: { url: string; adminUrl: string; name: string }): { url: string; role: string } {
  const ctx = { url: '', role: '' };
  beforeAll(async () => {
    ctx.role = `tt_role_${uniqueToken()}`;
    await pgAdmin(
      db.url,
      `CREATE ROLE "${ctx.role}" LOGIN PASSWORD 'tenancy' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE`,
      `GRANT CONNECT, CREATE ON DATABASE "${db.name}" TO "${ctx.role}"`,
      `GRANT USAGE, CREATE ON SCHEMA public TO "${ctx.role}"`,
    );
    const u = new URL(db.url);
    u.username = ctx.role;
    u.password = 'tenancy';
    ctx.url = u.toString();
  });
  afterAll(async () => {
    if (!ctx.role) return;
    await pgAdmin(db.url, `DROP OWNED BY "${ctx.role}" CASCADE`, `DROP ROLE IF EXISTS "${ctx.role}"`).catch(
      () => undefined,
    );
  });
  return ctx;
}

/** A fresh MySQL/MariaDB database for this test file (plus `prefix` for databases tests create). */
export function useMysqlDatabase(): { url: string; name: string; prefix: string } {
  const ctx = { url: '', name: '', prefix: '' };
  beforeAll(async () => {
    const token = uniqueToken();
    ctx.name = `tt_${token}`;
    ctx.prefix = `x${token.slice(-10)}_`;
    await mysqlAdmin(serviceUrl('mysql'), `CREATE DATABASE \`${ctx.name}\``);
    ctx.url = withDatabase(serviceUrl('mysql'), ctx.name);
  });
  afterAll(async () => {
    if (!ctx.name) return;
    const rows = await mysqlAdmin(serviceUrl('mysql'), `SHOW DATABASES LIKE '${ctx.prefix.replace(/_/g, '\\_')}%'`);
    const extra = rows.map((r) => String(Object.values(r)[0]));
    for (const db of [ctx.name, ...extra]) await mysqlAdmin(serviceUrl('mysql'), `DROP DATABASE IF EXISTS \`${db}\``);
  });
  return ctx;
}

export async function mysqlAdmin(url: string, ...sql: string[]): Promise<Array<Record<string, unknown>>> {
  const conn = await createConnection({ uri: url.replace(/^mariadb:/, 'mysql:'), multipleStatements: false });
  try {
    let rows: Array<Record<string, unknown>> = [];
    for (const s of sql) rows = (await conn.query(s))[0] as Array<Record<string, unknown>>;
    return rows;
  } finally {
    await conn.end();
  }
}

/** A Redis key namespace for this test file; its keys are deleted in afterAll. */
export function useRedisNamespace(): { url: string; prefix: string } {
  const ctx = { url: '', prefix: '' };
  beforeAll(() => {
    ctx.url = serviceUrl('redis');
    ctx.prefix = `tt:${uniqueToken()}:`;
  });
  afterAll(async () => {
    if (!ctx.prefix) return;
    const redis = new Redis(ctx.url);
    try {
      const keys = await redis.keys(`${ctx.prefix}*`);
      if (keys.length) await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
  });
  return ctx;
}
