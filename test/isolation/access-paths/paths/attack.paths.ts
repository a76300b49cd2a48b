import type { Location } from '../admin-view';
import type { AccessPath, MatrixEnv } from '../matrix.types';
import { attempt, labelsOf } from './path-kit';

const ATTACK = 'raw SQL aimed at another tenant';

/** Raw SQL naming another tenant's physical table, as a tenant that knows the naming scheme would. */
function foreignItems(where: Location): string {
  switch (where.kind) {
    case 'pg-schema':
      return `"${where.schema}"."mx_items"`;
    case 'pg-rls':
      return 'public.mx_items';
    case 'pg-database':
      return `"${new URL(where.url).pathname.slice(1)}".public.mx_items`;
    case 'mysql':
      return `\`${where.database}\`.mx_items`;
    case 'sqlite':
      return where.prefix ? `"${where.prefix}mx_items"` : `other.mx_items`;
  }
}

/** Labels of other tenants the attempts returned (refusals and empty results return none). */
async function foreignLabelsSeen(e: MatrixEnv, attempts: Array<() => Promise<unknown>>): Promise<string[]> {
  const seen: string[] = [];
  for (const run of attempts) {
    const rows = await attempt(run);
    if (Array.isArray(rows))
      seen.push(...labelsOf(rows.flat().filter((r) => r && typeof r === 'object' && 'label' in r)));
  }
  const own = new Set(labelsOf((await e.snapshot()).mx_items));
  return seen.filter((l) => !own.has(l)).sort();
}

export const ATTACK_PATHS: AccessPath[] = [
  {
    group: ATTACK,
    name: "qualified with the other tenant's schema / database / prefix",
    run: (e) =>
      foreignLabelsSeen(
        e,
        e.others.flatMap((t) => {
          const where = e.locate(t);
          const sql = `SELECT label FROM ${foreignItems(where)}`;
          const attach =
            where.kind === 'sqlite' && !where.prefix
              ? [() => e.ds.query(`ATTACH DATABASE '${where.file}' AS other`).then(() => e.ds.query(sql))]
              : [];
          return [...attach, () => e.ds.query(sql), () => e.em.query(sql), () => e.items.query(sql)];
        }),
      ),
    check: (_e, observed) => expect({ foreignLabelsSeen: observed }).toEqual({ foreignLabelsSeen: [] }),
  },
  {
    group: ATTACK,
    name: "beside the tenant's own table: comma join, subquery, EXISTS, CTE",
    run: (e) =>
      foreignLabelsSeen(
        e,
        e.others.flatMap((t) => {
          const [own, foreign] = [e.table('mx_items'), foreignItems(e.locate(t))];
          return [
            `SELECT x.label FROM ${own} o, ${foreign} x`,
            `SELECT (SELECT x.label FROM ${foreign} x ORDER BY x.label LIMIT 1) AS label FROM ${own}`,
            `SELECT x.label FROM ${foreign} x WHERE EXISTS (SELECT 1 FROM ${own} o)`,
            `WITH x AS (SELECT label FROM ${foreign}) SELECT x.label FROM x, ${own} o`,
          ].flatMap((sql) => [() => e.ds.query(sql), () => e.em.query(sql)]);
        }),
      ),
    check: (_e, observed) => expect({ foreignLabelsSeen: observed }).toEqual({ foreignLabelsSeen: [] }),
  },
  {
    group: ATTACK,
    name: 'switching the connection to another tenant, then reading',
    run: (e) =>
      foreignLabelsSeen(
        e,
        e.others.flatMap((t) =>
          switchesTo(t, e.locate(t)).map(
            (switchSql) => () =>
              // One connection throughout: a transaction of the tenant.
              e.connections.transaction(async (em) => {
                await attempt(() => em.query(switchSql));
                return [
                  await attempt(() => em.query(`SELECT label FROM ${e.table('mx_items')}`)),
                  await attempt(() => em.getRepository('Item').find()),
                ].filter(Array.isArray);
              }),
          ),
        ),
      ),
    check: (_e, observed) => expect({ foreignLabelsSeen: observed }).toEqual({ foreignLabelsSeen: [] }),
  },
];

/** SQL that would put the connection in the other tenant's scope (RLS: direct, hidden and dynamic forms). */
function switchesTo(t: { id: string }, where: Location): string[] {
  switch (where.kind) {
    case 'pg-rls':
      return [
        `SELECT set_config('app.current_tenant', '${t.id}', false)`,
        `SET/**/app.current_tenant = '${t.id}'`,
        `SELECT "set_config"('app.current_tenant', '${t.id}', false)`,
        `DO $$ BEGIN EXECUTE 'SELECT set_' || 'config(''app.current_tenant'', ''${t.id}'', false)'; END $$`,
        'RESET ALL',
        'DISCARD ALL',
      ];
    case 'pg-schema':
      return [
        `SET search_path TO "${where.schema}"`,
        `SELECT set_config('search_path', '${where.schema}', false)`,
        `DO $$ BEGIN EXECUTE 'SET search_' || 'path TO ${where.schema}'; END $$`,
      ];
    case 'mysql':
      return [`USE \`${where.database}\``];
    default:
      return ['SELECT 1'];
  }
}
