import { TenancyConfigError } from '../errors/tenancy-config.error';
import { dataSourceOptionsFromUrl } from './data-source-options.util';

describe('dataSourceOptionsFromUrl', () => {
  it.each([
    ['postgresql://app:pw@db:5432/master', { type: 'postgres', url: 'postgresql://app:pw@db:5432/master' }],
    ['postgres://app@db/master', { type: 'postgres', url: 'postgres://app@db/master' }],
    ['mysql://root@127.0.0.1:3306/test', { type: 'mysql', url: 'mysql://root@127.0.0.1:3306/test', timezone: 'Z' }],
    ['mariadb://root:s%40cret@db/test', { type: 'mysql', url: 'mysql://root:s%40cret@db/test', timezone: 'Z' }],
    ['sqlite:./data/master.sqlite', { type: 'better-sqlite3', database: './data/master.sqlite' }],
    ['sqlite:/var/lib/app/master.sqlite', { type: 'better-sqlite3', database: '/var/lib/app/master.sqlite' }],
    ['sqlite://./x.sqlite', { type: 'better-sqlite3', database: './x.sqlite' }],
    ['sqlite::memory:', { type: 'better-sqlite3', database: ':memory:' }],
  ])('maps %s', (url, expected) => {
    expect(dataSourceOptionsFromUrl(url)).toEqual(expected);
  });

  it('maps mssql:// to discrete options, decoding credentials and TLS flags', () => {
    expect(
      dataSourceOptionsFromUrl('mssql://sa:p%40ss@sql.local:14330/master?encrypt=false&trustServerCertificate=true'),
    ).toEqual({
      type: 'mssql',
      host: 'sql.local',
      port: 14330,
      username: 'sa',
      password: 'p@ss',
      database: 'master',
      options: { encrypt: false, trustServerCertificate: true },
    });
    expect(dataSourceOptionsFromUrl('mssql://sa:pw@sql.local/db')).toMatchObject({
      port: 1433,
      options: { encrypt: true, trustServerCertificate: false },
    });
  });

  it('merges extra options over the mapped ones', () => {
    expect(dataSourceOptionsFromUrl('postgresql://h/db', { poolSize: 3, schema: 't_a' })).toEqual({
      type: 'postgres',
      url: 'postgresql://h/db',
      poolSize: 3,
      schema: 't_a',
    });
  });

  it('refuses other schemes without echoing the URL (it may hold a password)', () => {
    expect(() => dataSourceOptionsFromUrl('oracle://scott:tiger@db/x')).toThrow(TenancyConfigError);
    expect(() => dataSourceOptionsFromUrl('oracle://scott:tiger@db/x')).toThrow(/"oracle"/);
    expect(() => dataSourceOptionsFromUrl('oracle://scott:tiger@db/x')).not.toThrow(/tiger/);
  });
});
