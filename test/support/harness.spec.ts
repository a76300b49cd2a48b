import {
  describeWith,
  pgAdmin,
  useOrdinaryRole,
  usePostgresDatabase,
  useMysqlDatabase,
  mysqlAdmin,
  useRedisNamespace,
} from './harness';
import Redis from 'ioredis';

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
