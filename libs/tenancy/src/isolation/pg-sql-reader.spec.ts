import { TenantScopeViolationError } from '../errors/tenant-scope-violation.error';
import { readPgSql } from './pg-sql-reader';

const schemas = (sql: string) => [...readPgSql(sql).schemas].sort();

describe('readPgSql', () => {
  it.each<[string, string[]]>([
    ['SELECT * FROM public.tenants', ['public']],
    ['SELECT * FROM "Public"."tenants"', ['Public']],
    ['SELECT * FROM orders o, t_beta.orders b', ['t_beta']],
    ['SELECT * FROM orders o JOIN x ON o.id = x.id, audit.log l', ['audit']],
    ['SELECT * FROM/**/public.tenants', ['public']],
    ['SELECT * FROM /* a /* nested */ comment */ s.t', ['s']],
    ['SELECT * FROM orders WHERE id IN (SELECT id FROM s.t)', ['s']],
    ['SELECT * FROM ONLY s.t', ['s']],
    ['UPDATE orders SET a = 1 FROM s.t WHERE s.t.id = orders.id', ['s']],
    ['INSERT INTO s.t SELECT 1', ['s']],
    ['TRUNCATE s.t', ['s']],
    ['SELECT db.s.t.col FROM orders', ['db']],
    ['SELECT s.f(1)', ['s']],
    ['SELECT public.x FROM orders public', ['public']],
    ['DO $$ BEGIN PERFORM 1 FROM s.t; END $$', ['s']],
    ['SELECT o.label, o.id FROM orders o WHERE o.id IS DISTINCT FROM o.qty', []],
    ['SELECT extract(year FROM o.at), substring(o.label FROM 1 FOR 2) FROM orders o', []],
    ["SELECT 'FROM s.t', E'\\' FROM s.t' FROM orders", []],
    ['SELECT 1.5, $1 FROM orders -- FROM s.t', []],
  ])('%s names %j', (sql, expected) => expect(schemas(sql)).toEqual(expected));

  it.each([
    'SET ROLE x',
    'set/**/role x',
    'SET LOCAL app.current_tenant = 1',
    'SET "search_path" TO a',
    'RESET ALL',
    'SELECT 1; RESET search_path',
    'DISCARD ALL',
    'SET SESSION AUTHORIZATION DEFAULT',
    'ALTER ROLE CURRENT_USER SET search_path = a',
    "SELECT set_config('app.current_tenant', 'x', false)",
    "SELECT \"set_config\"('ROLE', 'x', false)",
    "SELECT set_config($1, 'x', false)",
    "SELECT set_config('app.' || 'current_tenant', 'x', false)",
    "UPDATE pg_settings SET setting = 'x'",
    'DO $$ BEGIN SET ROLE x; END $$',
  ])('sees a scope change in %s', (sql) => expect(readPgSql(sql).scopeChange).toBeDefined());

  it.each([
    "SELECT set_config('statement_timeout', '5s', false)",
    "SET statement_timeout = '5s'",
    "UPDATE orders SET role = 'admin'",
    'SELECT 1',
  ])('sees no scope change in %s', (sql) => expect(readPgSql(sql).scopeChange).toBeUndefined());

  it.each(["SELECT 'open", 'SELECT "open', 'SELECT /* open', 'SELECT $$ open', 'SELECT U&"\\0070ublic".t'])(
    'refuses what it cannot read safely: %s',
    (sql) => expect(() => readPgSql(sql)).toThrow(TenantScopeViolationError),
  );
});
