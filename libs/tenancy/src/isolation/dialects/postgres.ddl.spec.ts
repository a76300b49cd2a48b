import { TenancyError } from '../../errors/tenancy.error';
import { postgresDdl } from './postgres.ddl';

describe('postgresDdl', () => {
  it('creates and drops schemas', () => {
    expect(postgresDdl.createNamespace('t_a')).toEqual(['CREATE SCHEMA IF NOT EXISTS "t_a"']);
    expect(postgresDdl.dropNamespace('t_a')).toEqual(['DROP SCHEMA IF EXISTS "t_a" CASCADE']);
  });

  it('creates and drops databases', () => {
    expect(postgresDdl.createDatabase('tenant_a')).toEqual(['CREATE DATABASE "tenant_a"']);
    expect(postgresDdl.dropDatabase('tenant_a')).toEqual(['DROP DATABASE IF EXISTS "tenant_a" WITH (FORCE)']);
    expect(postgresDdl.databaseExistsQuery('tenant_a')).toEqual({
      sql: 'SELECT 1 FROM pg_database WHERE datname = $1',
      params: ['tenant_a'],
    });
  });

  it('accepts 63-byte names and refuses 64-byte ones', () => {
    expect(postgresDdl.createNamespace('a'.repeat(63))).toEqual([`CREATE SCHEMA IF NOT EXISTS "${'a'.repeat(63)}"`]);
    expect(() => postgresDdl.createNamespace('a'.repeat(64))).toThrow(/limit of 63 bytes/);
    expect(() => postgresDdl.databaseExistsQuery('a'.repeat(64))).toThrow(TenancyError);
  });

  it.each(['public', 'pg_catalog', 'pg_toast', 'information_schema', 'postgres', 'template1'])(
    'refuses to create or drop the system object %s',
    (name) => {
      expect(() => postgresDdl.dropNamespace(name)).toThrow(/reserved/);
      expect(() => postgresDdl.createNamespace(name)).toThrow(/reserved/);
      expect(() => postgresDdl.dropDatabase(name)).toThrow(/reserved/);
    },
  );

  it.each(['t"a', 't;a', 'T_A', 'tа', 't a', 't\0a', '"t_a"'])('refuses %j', (name) => {
    expect(() => postgresDdl.createNamespace(name)).toThrow(TenancyError);
    expect(() => postgresDdl.dropNamespace(name)).toThrow(TenancyError);
    expect(() => postgresDdl.createDatabase(name)).toThrow(TenancyError);
    expect(() => postgresDdl.dropDatabase(name)).toThrow(TenancyError);
    expect(() => postgresDdl.databaseExistsQuery(name)).toThrow(TenancyError);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(postgresDdl)).toBe(true);
  });
});
