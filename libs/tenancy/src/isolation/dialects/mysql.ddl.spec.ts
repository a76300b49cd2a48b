import { TenancyError } from '../../errors/tenancy.error';
import { mysqlDdl } from './mysql.ddl';

describe('mysqlDdl', () => {
  it('uses a database as the tenant schema', () => {
    expect(mysqlDdl.createNamespace('t_a')).toEqual(['CREATE DATABASE IF NOT EXISTS `t_a`']);
    expect(mysqlDdl.dropNamespace('t_a')).toEqual(['DROP DATABASE IF EXISTS `t_a`']);
  });

  it('creates and drops tenant databases', () => {
    expect(mysqlDdl.createDatabase('tenant_a')).toEqual(['CREATE DATABASE IF NOT EXISTS `tenant_a`']);
    expect(mysqlDdl.dropDatabase('tenant_a')).toEqual(['DROP DATABASE IF EXISTS `tenant_a`']);
    expect(mysqlDdl.databaseExistsQuery('tenant_a')).toEqual({
      sql: 'SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
      params: ['tenant_a'],
    });
  });

  it('accepts 64-byte names and refuses 65-byte ones', () => {
    expect(mysqlDdl.createDatabase('a'.repeat(64))).toEqual([`CREATE DATABASE IF NOT EXISTS \`${'a'.repeat(64)}\``]);
    expect(() => mysqlDdl.createDatabase('a'.repeat(65))).toThrow(/limit of 64 bytes/);
  });

  it.each(['mysql', 'sys', 'information_schema', 'performance_schema'])('refuses the system database %s', (name) => {
    expect(() => mysqlDdl.dropNamespace(name)).toThrow(/reserved/);
  });

  it.each(['t`a', 't;a', 'T_A', 'tа', 't a', 't\0a', 't-a'])('refuses %j', (name) => {
    expect(() => mysqlDdl.createNamespace(name)).toThrow(TenancyError);
    expect(() => mysqlDdl.dropDatabase(name)).toThrow(TenancyError);
    expect(() => mysqlDdl.databaseExistsQuery(name)).toThrow(TenancyError);
  });
});
