import { TenancyError } from '../../errors/tenancy.error';
import { ddlFor } from './dialect-ddl.registry';
import type { Dialect } from './dialect.types';
import { MAX_NAME_BYTES, assertPhysicalName } from './physical-name.util';

const QUOTES: ReadonlyArray<readonly [Dialect, string, string]> = [
  ['postgres', '"', '"'],
  ['sqlite', '"', '"'],
  ['mysql', '`', '`'],
  ['mssql', '[', ']'],
];

const BAD_NAMES = [
  '',
  't"a',
  "t'a",
  't`a',
  't]a',
  't[a',
  't;a',
  't a',
  ' ta',
  'ta\n',
  't\0a',
  'tа', // Cyrillic а
  'Ta',
  't-a',
  't.a',
  '..',
  '1ta',
  't\\a',
  't$a',
  'é',
  'x"; DROP SCHEMA public CASCADE; --',
];

describe.each(QUOTES)('%s quoteIdentifier', (dialect, open, close) => {
  const { quoteIdentifier } = ddlFor(dialect);

  it.each(['t_a', '_x', 'a', 'tenant_acme_corp', 'x9'])('quotes %j', (name) => {
    expect(quoteIdentifier(name)).toBe(`${open}${name}${close}`);
  });

  it.each(BAD_NAMES)('refuses %j', (name) => {
    expect(() => quoteIdentifier(name)).toThrow(TenancyError);
  });

  it.each([null, undefined, 1, {}])('refuses the non-string %p', (name) => {
    expect(() => quoteIdentifier(name as unknown as string)).toThrow(TenancyError);
  });

  it(`accepts ${MAX_NAME_BYTES[dialect]} bytes and refuses one more, naming the limit`, () => {
    const limit = MAX_NAME_BYTES[dialect];
    expect(quoteIdentifier('a'.repeat(limit))).toBe(`${open}${'a'.repeat(limit)}${close}`);
    expect(() => quoteIdentifier('a'.repeat(limit + 1))).toThrow(new RegExp(`limit of ${limit} bytes`));
  });
});

describe('assertPhysicalName', () => {
  it('uses the dialect limits: PostgreSQL 63, MySQL 64, MSSQL 128, SQLite 64', () => {
    expect(MAX_NAME_BYTES).toEqual({ postgres: 63, mysql: 64, mssql: 128, sqlite: 64 });
    expect(() => assertPhysicalName('a'.repeat(63), 'postgres')).not.toThrow();
    expect(() => assertPhysicalName('a'.repeat(64), 'postgres')).toThrow(/never truncated/);
  });

  it('refuses a huge input by length before any pattern', () => {
    expect(() => assertPhysicalName('"'.repeat(100_000), 'mssql')).toThrow(/limit of 128 bytes/);
  });
});
