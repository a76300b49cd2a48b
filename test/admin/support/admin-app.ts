import { Test, type TestingModule, type TestingModuleBuilder } from '@nestjs/testing';
import { TenancyModule, TenantAdminService, TenantStore, type TenancyModuleOptions } from 'nestjs-tenancy';
import { databaseTemplate, pgAdmin } from '../../support';

/** A booted tenancy module (no HTTP) and its admin service. */
export interface AdminApp {
  readonly ref: TestingModule;
  readonly admin: TenantAdminService;
  readonly store: TenantStore;
  close(): Promise<void>;
}

/** Boots `TenancyModule.forRoot(options)` alone; `customize` can override providers. */
export async function bootAdmin(
  options: TenancyModuleOptions,
  customize: (b: TestingModuleBuilder) => TestingModuleBuilder = (b) => b,
): Promise<AdminApp> {
  const builder = Test.createTestingModule({ imports: [TenancyModule.forRoot({ mountGuard: false, ...options })] });
  const ref = await customize(builder).compile();
  await ref.init();
  return {
    ref,
    admin: ref.get(TenantAdminService),
    store: ref.get<TenantStore>(TenantStore),
    close: () => ref.close(),
  };
}

export { databaseTemplate };

export async function schemaExists(url: string, schema: string): Promise<boolean> {
  return (await pgAdmin(url, `SELECT 1 FROM pg_namespace WHERE nspname = '${schema}'`)).length === 1;
}

export async function databaseExists(adminUrl: string, database: string): Promise<boolean> {
  return (await pgAdmin(adminUrl, `SELECT 1 FROM pg_database WHERE datname = '${database}'`)).length === 1;
}

/** Rows of the `tenants` table with this identifier (read as the superuser, past any cache). */
export async function tenantRows(url: string, identifier: string): Promise<Array<Record<string, unknown>>> {
  return pgAdmin(url, `SELECT * FROM public.tenants WHERE identifier = '${identifier}'`);
}

/** Drops every database whose name starts with `prefix` (database-per-tenant leftovers). */
export async function dropDatabases(adminUrl: string, prefix: string): Promise<void> {
  const rows = await pgAdmin(adminUrl, `SELECT datname FROM pg_database WHERE datname LIKE '${prefix}%'`);
  for (const r of rows) await pgAdmin(adminUrl, `DROP DATABASE IF EXISTS "${String(r.datname)}" WITH (FORCE)`);
}

/** Physical name of `identifier` under `prefix` (`-` becomes `_`). */
export function physical(prefix: string, identifier: string): string {
  return `${prefix}${identifier.replaceAll('-', '_')}`;
}

/** Where a PostgreSQL admin suite places its tenants, on its own database (see `useTenantPlacement`). */
export interface TenantPlacement {
  /** Prefix of the tenant databases: `<tag>` + the last 6 characters of the suite database + `_`. */
  dbPrefix(): string;
  /** `databaseUrl`, `databaseUrlTemplate`, `databasePrefix` and `schemaPrefix` (`<tag>_`) of the suite. */
  options(): Pick<TenancyModuleOptions, 'databaseUrl' | 'databaseUrlTemplate' | 'databasePrefix' | 'schemaPrefix'>;
}

/**
 * Placement options for a suite on `db` whose tenants get a schema (`<tag>_…`) or a database of
 * their own (`dbPrefix()…`); the tenant databases are dropped in afterAll. Call in a describe body.
 */
export function useTenantPlacement(db: { url: string; adminUrl: string; name: string }, tag: string): TenantPlacement {
  const dbPrefix = (): string => `${tag}${db.name.slice(-6)}_`;
  afterAll(() => dropDatabases(db.adminUrl, dbPrefix()));
  return {
    dbPrefix,
    options: () => ({
      databaseUrl: db.url,
      databaseUrlTemplate: databaseTemplate(db.adminUrl),
      databasePrefix: dbPrefix(),
      schemaPrefix: `${tag}_`,
    }),
  };
}
