import { Client } from 'pg';
import { databaseTemplate, pgAdmin, uniqueToken, withDatabase } from '../../support/harness';

/**
 * A PostgreSQL database, an ordinary login role (NOSUPERUSER NOBYPASSRLS: RLS holds for it)
 * and a prefix for tenant databases, made without Jest hooks so the soak script can use it too.
 * `drop()` removes the tenant databases, the database and the role.
 */
export interface PgSandbox {
  readonly adminUrl: string;
  /** The database, as the superuser. */
  readonly url: string;
  /** The database, as the ordinary role (the app's `databaseUrl`). */
  readonly roleUrl: string;
  readonly name: string;
  readonly role: string;
  /** Prefix of the tenant databases (`databasePrefix`). */
  readonly databasePrefix: string;
  /** `databaseUrlTemplate` on the same server, as the superuser. */
  readonly databaseUrlTemplate: string;
  drop(): Promise<void>;
}

/** `label`: up to 7 lower-case letters (it starts the tenant database prefix, 16 characters at most). */
export async function createPgSandbox(adminUrl: string, label = 'rel'): Promise<PgSandbox> {
  const token = uniqueToken();
  const name = `tt_${label}_${token}`;
  const role = `tt_role_${label}_${token}`;
  await pgAdmin(adminUrl, `CREATE DATABASE "${name}"`);
  const url = withDatabase(adminUrl, name);
  await pgAdmin(
    url,
    `CREATE ROLE "${role}" LOGIN PASSWORD 'tenancy' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE`,
    `GRANT CONNECT, CREATE ON DATABASE "${name}" TO "${role}"`,
    `GRANT USAGE, CREATE ON SCHEMA public TO "${role}"`,
  );
  const roleUrl = new URL(url);
  roleUrl.username = role;
  roleUrl.password = 'tenancy';
  const databasePrefix = `${label}${token.slice(-8)}_`;
  return {
    adminUrl,
    url,
    roleUrl: roleUrl.toString(),
    name,
    role,
    databasePrefix,
    databaseUrlTemplate: databaseTemplate(adminUrl),
    drop: async () => {
      await dropDatabasesLike(adminUrl, databasePrefix);
      await pgAdmin(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await pgAdmin(adminUrl, `DROP ROLE IF EXISTS "${role}"`).catch(() => undefined);
    },
  };
}

export async function dropDatabasesLike(adminUrl: string, prefix: string): Promise<void> {
  const rows = await pgAdmin(adminUrl, `SELECT datname FROM pg_database WHERE starts_with(datname, '${prefix}')`);
  for (const r of rows) await pgAdmin(adminUrl, `DROP DATABASE IF EXISTS "${String(r.datname)}" WITH (FORCE)`);
}

/**
 * How many more connections this server can take now: `max_connections` minus the reserved
 * ones minus what is already connected (other suites and sessions share the server).
 */
export async function connectionHeadroom(adminUrl: string): Promise<{ max: number; used: number; free: number }> {
  const [row] = await pgAdmin(
    adminUrl,
    `SELECT current_setting('max_connections')::int AS max,
            current_setting('superuser_reserved_connections')::int AS reserved,
            (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int AS used`,
  );
  const max = Number(row.max);
  const used = Number(row.used);
  return { max, used, free: max - Number(row.reserved) - used };
}

/**
 * Samples the backends of `databases` (and of `role` anywhere) every `everyMs` on one admin
 * connection and remembers the peak: the soak asserts it stayed inside its budget.
 */
export async function watchBackends(
  adminUrl: string,
  match: { databases: () => string[]; prefix: string },
  everyMs = 100,
) {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  let peak = 0;
  let stopped = false;
  const sql = `SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND (datname = ANY($1) OR starts_with(datname, $2))`;
  const loop = (async () => {
    while (!stopped) {
      const { rows } = await client.query<{ n: number }>(sql, [match.databases(), match.prefix]);
      peak = Math.max(peak, rows[0].n);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    get peak() {
      return peak;
    },
    async stop(): Promise<number> {
      stopped = true;
      await loop.catch(() => undefined);
      await client.end();
      return peak;
    },
  };
}
