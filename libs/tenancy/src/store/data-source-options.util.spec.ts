import { TenancyConfigError } from '../errors/tenancy-config.error';
import { EventEmitter } from 'node:events';
import { dataSourceOptionsFromUrl } from './data-source-options.util';

const listening = { extra: { onConnect: expect.any(Function) } };

describe('dataSourceOptionsFromUrl', () => {
  it.each([
    [
      'postgresql://app:pw@db:5432/master',
      { type: 'postgres', url: 'postgresql://app:pw@db:5432/master', ...listening },
    ],
    ['postgres://app@db/master', { type: 'postgres', url: 'postgres://app@db/master', ...listening }],
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
      ...listening,
    });
  });

  describe('pg pool clients (see pg-client-errors.util.ts)', () => {
    class Client extends EventEmitter {
      ended = 0;
      end() {
        this.ended++;
      }
    }
    const onConnectOf = (o: object) => (o as { extra: { onConnect(c: Client): unknown } }).extra.onConnect;

    it("every new client keeps an 'error' listener that ends it; the caller's extra and onConnect are kept", async () => {
      const seen: Client[] = [];
      const options = dataSourceOptionsFromUrl('postgresql://h/db', {
        extra: { max: 7, onConnect: (c: Client) => void seen.push(c) },
      } as never);
      expect((options as { extra: { max: number } }).extra.max).toBe(7);
      const client = new Client();
      await onConnectOf(options)(client);
      expect(seen).toEqual([client]);
      expect(() =>
        client.emit('error', new Error('terminating connection due to administrator command')),
      ).not.toThrow();
      expect(client.ended).toBe(1);
    });

    it('adds one listener even when options go through it twice', async () => {
      const twice = dataSourceOptionsFromUrl('postgresql://h/db', dataSourceOptionsFromUrl('postgresql://h/db'));
      const client = new Client();
      await onConnectOf(twice)(client);
      expect(client.listenerCount('error')).toBe(1);
    });

    it('leaves other drivers alone', () => {
      expect(dataSourceOptionsFromUrl('mysql://root@h/db', { extra: { a: 1 } } as never)).toEqual({
        type: 'mysql',
        url: 'mysql://root@h/db',
        timezone: 'Z',
        extra: { a: 1 },
      });
    });
  });

  it('refuses other schemes without echoing the URL (it may hold a password)', () => {
    expect(() => dataSourceOptionsFromUrl('oracle://scott:tiger@db/x')).toThrow(TenancyConfigError);
    expect(() => dataSourceOptionsFromUrl('oracle://scott:tiger@db/x')).toThrow(/"oracle"/);
    expect(() => dataSourceOptionsFromUrl('oracle://scott:tiger@db/x')).not.toThrow(/tiger/);
  });
});
