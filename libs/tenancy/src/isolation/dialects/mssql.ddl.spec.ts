import { TenancyError } from '../../errors/tenancy.error';
import { mssqlDdl } from './mssql.ddl';

const DROP_T_A = `DECLARE @schema sysname = N't_a';
DECLARE @sql nvarchar(max);
IF SCHEMA_ID(@schema) IS NOT NULL
BEGIN
  SELECT @sql = STRING_AGG(CAST(N'ALTER TABLE ' + QUOTENAME(@schema) + N'.' + QUOTENAME(OBJECT_NAME(o.parent_object_id)) + N' DROP CONSTRAINT ' + QUOTENAME(o.name) AS nvarchar(max)), N'; ') FROM sys.foreign_keys AS o WHERE o.schema_id = SCHEMA_ID(@schema);
  IF @sql IS NOT NULL EXEC sys.sp_executesql @sql;
  SELECT @sql = STRING_AGG(CAST(N'DROP VIEW ' + QUOTENAME(@schema) + N'.' + QUOTENAME(o.name) AS nvarchar(max)), N'; ') FROM sys.views AS o WHERE o.schema_id = SCHEMA_ID(@schema);
  IF @sql IS NOT NULL EXEC sys.sp_executesql @sql;
  SELECT @sql = STRING_AGG(CAST(N'DROP TABLE ' + QUOTENAME(@schema) + N'.' + QUOTENAME(o.name) AS nvarchar(max)), N'; ') FROM sys.tables AS o WHERE o.schema_id = SCHEMA_ID(@schema);
  IF @sql IS NOT NULL EXEC sys.sp_executesql @sql;
  DROP SCHEMA [t_a];
END`;

describe('mssqlDdl', () => {
  it('creates a schema in its own batch, only when missing', () => {
    expect(mssqlDdl.createNamespace('t_a')).toEqual(["IF SCHEMA_ID(N't_a') IS NULL EXEC(N'CREATE SCHEMA [t_a]')"]);
  });

  it('drops foreign keys, views and tables, then the schema, in one batch', () => {
    expect(mssqlDdl.dropNamespace('t_a')).toEqual([DROP_T_A]);
  });

  it('creates and drops databases', () => {
    expect(mssqlDdl.createDatabase('tenant_a')).toEqual(["IF DB_ID(N'tenant_a') IS NULL CREATE DATABASE [tenant_a]"]);
    expect(mssqlDdl.dropDatabase('tenant_a')).toEqual([
      "IF DB_ID(N'tenant_a') IS NOT NULL BEGIN ALTER DATABASE [tenant_a] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; " +
        'DROP DATABASE [tenant_a]; END',
    ]);
    expect(mssqlDdl.databaseExistsQuery('tenant_a')).toEqual({
      sql: 'SELECT 1 AS present WHERE DB_ID(@0) IS NOT NULL',
      params: ['tenant_a'],
    });
  });

  it('accepts 128-byte names and refuses 129-byte ones', () => {
    expect(mssqlDdl.quoteIdentifier('a'.repeat(128))).toBe(`[${'a'.repeat(128)}]`);
    expect(() => mssqlDdl.createNamespace('a'.repeat(129))).toThrow(/limit of 128 bytes/);
  });

  it.each(['dbo', 'sys', 'guest', 'information_schema', 'db_owner', 'master', 'tempdb'])(
    'refuses the system object %s',
    (name) => {
      expect(() => mssqlDdl.dropNamespace(name)).toThrow(/reserved/);
      expect(() => mssqlDdl.dropDatabase(name)).toThrow(/reserved/);
    },
  );

  it.each(["t'a", 't]a', 't[a', 't;a', 'T_A', 'tа', 't a', 't\0a', "t_a') DROP DATABASE x --"])(
    'refuses %j',
    (name) => {
      expect(() => mssqlDdl.createNamespace(name)).toThrow(TenancyError);
      expect(() => mssqlDdl.dropNamespace(name)).toThrow(TenancyError);
      expect(() => mssqlDdl.createDatabase(name)).toThrow(TenancyError);
      expect(() => mssqlDdl.dropDatabase(name)).toThrow(TenancyError);
    },
  );
});
