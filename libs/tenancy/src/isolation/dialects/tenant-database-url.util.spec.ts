import { TenancyError } from '../../errors/tenancy.error';
import { buildTenantDatabaseUrl } from './tenant-database-url.util';

describe('buildTenantDatabaseUrl', () => {
  it.each([
    ['postgresql://u:p@db:5432/{database_name}', 'tenant_acme', 'postgresql://u:p@db:5432/tenant_acme'],
    ['mysql://u:p@db/{database_name}?charset=utf8mb4', 'tenant_acme', 'mysql://u:p@db/tenant_acme?charset=utf8mb4'],
    ['mssql://sa:p@db/{database_name}', 'tenant_acme', 'mssql://sa:p@db/tenant_acme'],
    ['sqlite:./data/{database_name}.sqlite', 'tenant_acme', 'sqlite:./data/tenant_acme.sqlite'],
    ['sqlite:./{database_name}/{database_name}.db', 't_a', 'sqlite:./t_a/t_a.db'],
  ])('%s + %s', (template, name, url) => {
    expect(buildTenantDatabaseUrl(template, name)).toBe(url);
  });

  it.each(['../etc', 'a/b', 'a.b', 'A', 'a b', 'a?x=1', 'a%2f', '', 'a\0', '$&', "$'"])(
    'refuses the name %j',
    (name) => {
      expect(() => buildTenantDatabaseUrl('sqlite:./data/{database_name}.sqlite', name)).toThrow(TenancyError);
    },
  );

  it('refuses system databases and names over the limit', () => {
    expect(() => buildTenantDatabaseUrl('postgresql://db/{database_name}', 'postgres')).toThrow(/reserved/);
    expect(() => buildTenantDatabaseUrl('mssql://db/{database_name}', 'master')).toThrow(/reserved/);
    expect(() => buildTenantDatabaseUrl('postgresql://db/{database_name}', 'a'.repeat(64))).toThrow(/63 bytes/);
  });

  it('refuses a template without {database_name} or with an unknown scheme', () => {
    expect(() => buildTenantDatabaseUrl('postgresql://db/app', 'tenant_acme')).toThrow(/\{database_name\}/);
    expect(() => buildTenantDatabaseUrl('redis://db/{database_name}', 'tenant_acme')).toThrow(/scheme/);
  });
});
