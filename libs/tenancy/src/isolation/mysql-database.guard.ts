import { TenancyError } from '../errors/tenancy.error';
import { sqlWords, type SqlWord } from './sql-words.util';

/** Runs a statement on the runner's connection, bypassing the view (the guard's own lookups). */
export type DirectQuery = (sql: string, params?: unknown[]) => Promise<unknown>;

/** Keywords never looked up as database names (only unquoted words; fewer lookups, same verdict). */
const KEYWORDS = new Set(
  (
    'select from where and or not in is null as on join left right inner outer cross using group by order ' +
    'having limit offset union all distinct insert into values update set delete count sum min max avg asc ' +
    'desc case when then else end like between exists with recursive true false interval date'
  ).split(' '),
);

/** Which strategy put the tenant in its own database (named in refusals). */
export type MysqlTenantMode = 'schema' | 'database';

/**
 * Refuses MySQL raw SQL of a schema-mode or database-strategy tenant (a DATABASE per tenant) that
 * could reach another database: any word outside literals and comments that names an existing
 * database other than the tenant's (`root.tenants`, `other_tenant.orders`, `information_schema`,
 * `mysql`, `SHOW TABLES FROM x`, looked up in `information_schema.SCHEMATA` on each statement, so
 * databases created later count too), `USE`, `SHOW DATABASES`, `CREATE`/`DROP`/`ALTER DATABASE`
 * and dynamic SQL (`PREPARE`, `EXECUTE`: text the guard cannot read).
 */
export async function assertTenantDatabaseOnly(
  sql: string,
  database: string,
  direct: DirectQuery,
  mode: MysqlTenantMode = 'schema',
): Promise<void> {
  const words = sqlWords(sql, 'mysql');
  refuseStatementShapes(words, mode);
  const own = database.toLowerCase();
  const names = new Set(words.filter((w) => w.quoted || !KEYWORDS.has(w.name)).map((w) => w.name));
  names.delete(own);
  if (names.size === 0) return;
  const found = (await direct(
    `SELECT LOWER(SCHEMA_NAME) AS name FROM information_schema.SCHEMATA WHERE LOWER(SCHEMA_NAME) IN (${[...names]
      .map(() => '?')
      .join(', ')})`,
    [...names],
  )) as Array<{ name: string }>;
  if (found.length > 0) refuse(`"${found[0].name}" is not this tenant's database`, mode);
}

function refuseStatementShapes(words: readonly SqlWord[], mode: MysqlTenantMode): void {
  const bare = (i: number) => (words[i] && !words[i].quoted ? words[i].name : '');
  if (bare(0) === 'use') refuse('USE would move the connection out of the tenant database', mode);
  for (let i = 0; i < words.length; i++) {
    if (bare(i) === 'prepare' || bare(i) === 'execute')
      refuse(`${bare(i).toUpperCase()} runs SQL text the guard cannot read`, mode);
    const pair = `${bare(i)} ${bare(i + 1)}`;
    if (/^show (databases|schemas)$/.test(pair)) refuse('SHOW DATABASES lists every tenant', mode);
    if (/^(create|drop|alter) (database|schema)$/.test(pair)) refuse(`${pair.toUpperCase()} is not allowed`, mode);
  }
}

function refuse(cause: string, mode: MysqlTenantMode): never {
  const who = mode === 'schema' ? 'schema-mode tenant' : 'database strategy tenant';
  throw new TenancyError(
    `Raw SQL refused on a MySQL ${who}: ${cause}. Raw SQL runs in the tenant's database: ` +
      'name tables unqualified (or qualified with the tenant database); other databases, USE, SHOW DATABASES, ' +
      'CREATE/DROP/ALTER DATABASE and PREPARE/EXECUTE are refused.',
  );
}
