import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TenancyModuleOptions, TenantIsolation } from 'nestjs-tenancy';
import {
  databaseTemplate,
  pgAdmin,
  serviceUrl,
  uniqueToken,
  useMysqlDatabase,
  useOrdinaryRole,
  usePostgresDatabase,
} from '../../support';
import { usePgBouncer, type PgBouncer } from '../../support/pgbouncer';
import { dropDatabasesLike } from '../../reliability/support/pg-sandbox';
import { bootMatrixApp, type Locator, type MatrixApp, type Naming } from './matrix.fixture';
import { MATRIX_ENTITIES } from './matrix.entities';
import type { Target } from './matrix.runner';
import type { Tenant } from 'nestjs-tenancy';

type Strategies = Target['strategies'];
const all = (s: TenantIsolation): Strategies => [s, s, s];
const plan = (s: Strategies) => s.map((strategy, i) => [`mx-${'abc'[i]}`, strategy] as const);
const BASE = { entities: MATRIX_ENTITIES, cacheEnabled: false, poolSize: 2 } satisfies Partial<TenancyModuleOptions>;

/** Opens the app after the servers' hooks; closes it before they tear down (hooks run in declaration order). */
function useApp(boot: () => Promise<MatrixApp>, open: () => void): () => MatrixApp {
  let app: MatrixApp | undefined;
  afterAll(async () => app?.close());
  open();
  beforeAll(async () => {
    app = await boot();
  });
  return () => {
    if (!app) throw new Error('matrix app not booted');
    return app;
  };
}

/** PostgreSQL: schema (shared pool), RLS (ordinary role), database, hybrid; each scope mode where it applies. */
function postgres(
  name: string,
  strategies: Strategies,
  extra: Partial<TenancyModuleOptions> = {},
  twoRoles = false,
  viaPgBouncer = false,
): Target {
  let bouncer: (() => PgBouncer) | undefined;
  return {
    name: `postgres ${name}`,
    dialect: 'postgres',
    service: viaPgBouncer ? 'pgbouncer' : 'postgres',
    strategies,
    use: () => {
      let owner = { url: '', role: '' };
      const ctx = {
        db: { url: '', adminUrl: '', name: '' },
        role: { url: '', role: '' },
        prefix: `mx${uniqueToken().slice(-8)}_`,
      };
      return useApp(
        async () => {
          const ordinary = strategies.includes('rls');
          const url = ordinary ? ctx.role.url : ctx.db.url;
          if (bouncer) await bouncer().allow(ctx.role.role);
          const options: TenancyModuleOptions = {
            ...BASE,
            databaseUrl: bouncer ? bouncer().through(url) : url,
            // The production shape: an owner role applies DDL and policies, the runtime role only verifies.
            ...(twoRoles ? { migrationDatabaseUrl: owner.url } : {}),
            isolationStrategy: new Set(strategies).size > 1 ? 'hybrid' : strategies[0],
            standardIsolationStrategy: 'rls',
            premiumIsolationStrategy: 'database',
            schemaPrefix: 'mx_',
            databasePrefix: ctx.prefix,
            databaseUrlTemplate: databaseTemplate(ctx.db.adminUrl),
            ...extra,
          };
          // The ordinary role may not CREATE DATABASE: the operator does, the provisioner finds it.
          const operator = async (t: Tenant, n: Naming) => {
            if (ordinary && t.isolationStrategy === 'database')
              await pgAdmin(ctx.db.adminUrl, `CREATE DATABASE "${n.databaseName(t)}"`);
          };
          const locate: Locator = (t, n) => {
            if (t.isolationStrategy === 'schema') return { kind: 'pg-schema', url: ctx.db.url, schema: n.schema(t) };
            if (t.isolationStrategy === 'rls') return { kind: 'pg-rls', url: ctx.db.url };
            return { kind: 'pg-database', url: n.databaseUrl(t) };
          };
          return bootMatrixApp(options, plan(strategies), locate, operator);
        },
        () => {
          ctx.db = usePostgresDatabase();
          ctx.role = useOrdinaryRole(ctx.db);
          if (twoRoles) owner = useOrdinaryRole(ctx.db);
          afterAll(async () => dropDatabasesLike(ctx.db.adminUrl, ctx.prefix));
          if (!viaPgBouncer) return;
          bouncer = usePgBouncer();
          // PgBouncer drops the startup option that empties the pool's search_path: set on the roles.
          beforeAll(async () => {
            for (const role of [ctx.role.role, 'postgres'])
              await pgAdmin(ctx.db.url, `ALTER ROLE "${role}" IN DATABASE "${ctx.db.name}" SET search_path = ''`);
          });
        },
      );
    },
  };
}

/** MariaDB/MySQL: schema (a database per tenant over the root pool) and database. */
function mysql(strategy: 'schema' | 'database'): Target {
  return {
    name: `mariadb ${strategy}`,
    dialect: 'mysql',
    service: 'mysql',
    strategies: all(strategy),
    use: () => {
      let db = { url: '', name: '', prefix: '' };
      return useApp(
        () =>
          bootMatrixApp(
            {
              ...BASE,
              databaseUrl: db.url,
              isolationStrategy: strategy,
              schemaPrefix: db.prefix.replace(/_$/, 's_'),
              databasePrefix: db.prefix.replace(/_$/, 'd_'),
              databaseUrlTemplate: databaseTemplate(serviceUrl('mysql')),
            },
            plan(all(strategy)),
            (t, n) => ({
              kind: 'mysql',
              url: serviceUrl('mysql'),
              database: strategy === 'schema' ? n.schema(t) : n.databaseName(t),
            }),
          ),
        () => {
          db = useMysqlDatabase();
        },
      );
    },
  };
}

/** SQLite (better-sqlite3): schema = a table prefix in the master file, database = a file per tenant. */
function sqlite(strategy: 'schema' | 'database'): Target {
  return {
    name: `sqlite ${strategy === 'schema' ? 'schema (table prefix)' : 'database (file)'}`,
    dialect: 'sqlite',
    strategies: all(strategy),
    use: () => {
      const dir = { path: '' };
      return useApp(
        () => {
          const master = join(dir.path, 'master.sqlite');
          return bootMatrixApp(
            {
              ...BASE,
              databaseUrl: `sqlite:${master}`,
              databaseUrlTemplate: `sqlite:${join(dir.path, '{database_name}.sqlite')}`,
              isolationStrategy: strategy,
            },
            plan(all(strategy)),
            (t, n) =>
              strategy === 'schema'
                ? { kind: 'sqlite', file: master, prefix: n.tablePrefix(t) }
                : { kind: 'sqlite', file: n.databaseUrl(t).slice('sqlite:'.length), prefix: '' },
          );
        },
        () => {
          beforeAll(() => {
            dir.path = mkdtempSync(join(tmpdir(), 'tenancy-matrix-'));
          });
          afterAll(() => rmSync(dir.path, { recursive: true, force: true }));
        },
      );
    },
  };
}

/** PostgreSQL in three files, so Jest can run them side by side. */
export const POSTGRES_SCHEMA_DATABASE_TARGETS: Target[] = [
  postgres('schema', all('schema')),
  postgres('schema (transaction scope)', all('schema'), { scopeMode: 'transaction' }),
  postgres('database', all('database')),
];
export const POSTGRES_RLS_TARGETS: Target[] = [
  postgres('rls', all('rls')),
  postgres('rls (owner + runtime roles)', all('rls'), {}, true),
];
export const POSTGRES_RLS_TX_HYBRID_TARGETS: Target[] = [
  postgres('rls (transaction scope)', all('rls'), { scopeMode: 'transaction' }),
  postgres('hybrid (rls + schema + database)', ['rls', 'schema', 'database']),
];
/** Through a real PgBouncer in transaction pooling: only transaction scope is correct there (issue 15). */
export const POSTGRES_PGBOUNCER_TARGETS: Target[] = [
  postgres('schema via PgBouncer (transaction scope)', all('schema'), { scopeMode: 'transaction' }, false, true),
  postgres('rls via PgBouncer (transaction scope)', all('rls'), { scopeMode: 'transaction' }, false, true),
];
export const MARIADB_TARGETS: Target[] = [mysql('schema'), mysql('database')];
export const SQLITE_TARGETS: Target[] = [sqlite('schema'), sqlite('database')];
