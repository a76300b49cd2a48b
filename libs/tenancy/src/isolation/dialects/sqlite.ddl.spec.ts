import { TenancyError } from '../../errors/tenancy.error';
import { sqliteDdl } from './sqlite.ddl';

describe('sqliteDdl', () => {
  it('emits no namespace or database DDL (table prefix, file per tenant)', () => {
    expect(sqliteDdl.createNamespace('t_a__')).toEqual([]);
    expect(sqliteDdl.dropNamespace('t_a__')).toEqual([]);
    expect(sqliteDdl.createDatabase('tenant_a')).toEqual([]);
    expect(sqliteDdl.dropDatabase('tenant_a')).toEqual([]);
    expect(sqliteDdl.databaseExistsQuery('tenant_a')).toBeNull();
  });

  it('quotes with double quotes', () => {
    expect(sqliteDdl.quoteIdentifier('t_a__orders')).toBe('"t_a__orders"');
  });

  it.each(['t"a', 't;a', 'T_A', 'tа', '../x', 't\0a', 'sqlite_master', 'a'.repeat(65)])('still refuses %j', (name) => {
    expect(() => sqliteDdl.createNamespace(name)).toThrow(TenancyError);
    expect(() => sqliteDdl.dropDatabase(name)).toThrow(TenancyError);
    expect(() => sqliteDdl.databaseExistsQuery(name)).toThrow(TenancyError);
  });
});
