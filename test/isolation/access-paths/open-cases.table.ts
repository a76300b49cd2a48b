import type { OpenCase } from './matrix.runner';

/**
 * Cases of the matrix that still fail on main, each with the fix of issue 11 it awaits. The
 * matrix does not run them until their entry is removed: remove it when the fix lands
 * (`MATRIX_ALL_CASES=1 npx jest test/isolation/access-paths` runs them all, open ones included).
 */
export const OPEN_CASES: readonly OpenCase[] = [
  {
    target: /^(postgres hybrid \(rls \+ schema \+ database\))$/,
    path: "raw SQL aimed at another tenant: qualified with the other tenant's schema / database / prefix",
    awaits:
      "not in issue 11: raw SQL qualified with another tenant's schema (hybrid, from an RLS tenant) or database (MariaDB database strategy) reads it",
  },
  {
    target:
      /^(postgres rls|postgres rls \(owner \+ runtime roles\)|postgres rls \(transaction scope\)|postgres hybrid \(rls \+ schema \+ database\))$/,
    path: 'raw SQL aimed at another tenant: switching the connection to another tenant, then reading',
    awaits:
      'not in issue 11: raw set_config(app.current_tenant) (RLS) or USE (MariaDB database) switches the tenant of the connection',
  },
  {
    target:
      /^(postgres schema|postgres schema \(transaction scope\)|postgres schema via PgBouncer \(transaction scope\)|postgres hybrid \(rls \+ schema \+ database\))$/,
    path: "raw SQL aimed at another tenant: beside the tenant's own table: comma join, subquery, EXISTS, CTE",
    awaits:
      "PostgreSQL schema mode (PostgreSQL targets are isopg's): the raw-SQL check misses another tenant's schema in a comma-joined FROM list, a scalar subquery, EXISTS or a CTE, and reads its rows",
  },
];
