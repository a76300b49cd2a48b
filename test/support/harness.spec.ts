import {
  describeWith,
  pgAdmin,
  useOrdinaryRole,
  usePostgresDatabase,
  useMysqlDatabase,
  mysqlAdmin,
  useRedisNamespace,
  serviceUrl,
} from './harness';
import Redis from 'ioredis';
import { Client } from 'pg';
import { describeWithPgBouncer, usePgBouncer } from './pgbouncer';

describeWith('postgres', 'harness: PostgreSQL', () => {
  const db = usePostgresDatabase();
  const role = useOrdinaryRole(db);
  it('gives each file its own database', async () => {
    const [row] = await pgAdmin(db.url, 'select current_database() as name');
    expect(row.name).toBe(db.name);
  });
  it('creates an ordinary role that neither is superuser nor bypasses RLS', async () => {
    const [row] = await pgAdmin(
      role.url,
      'select rolsuper, rolbypassrls, current_user as me from pg_roles where rolname = current_user',
    );
    expect(row).toEqual({ rolsuper: false, rolbypassrls: false, me: role.role });
  });
});

describeWith('mysql', 'harness: MySQL', () => {
  const db = useMysqlDatabase();
  it('gives each file its own database', async () => {
    const [row] = await mysqlAdmin(db.url, 'select database() as name');
    expect(row.name).toBe(db.name);
  });
});

describeWith('redis', 'harness: Redis', () => {
  const ns = useRedisNamespace();
  it('gives each file its own key namespace', async () => {
    const redis = new Redis(ns.url);
    await redis.set(`${ns.prefix}k`, 'v');
    expect(await redis.get(`${ns.prefix}k`)).toBe('v');
    redis.disconnect();
  });
});

describeWithPgBouncer('harness: PgBouncer', () => {
  const bouncer = usePgBouncer(1);
  it('pools by transaction: a session setting made by one client is seen by the next', async () => {
    const url = bouncer().through(serviceUrl('postgres'));
    const [a, b] = [new Client({ connectionString: url }), new Client({ connectionString: url })];
    await Promise.all([a.connect(), b.connect()]);
    try {
      const first = await a.query("select pg_backend_pid() as pid, set_config('tt.probe', 'left-behind', false)");
      const second = await b.query("select pg_backend_pid() as pid, current_setting('tt.probe', true) as probe");
      expect(second.rows[0]).toEqual({ pid: first.rows[0].pid, probe: 'left-behind' });
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });
});
