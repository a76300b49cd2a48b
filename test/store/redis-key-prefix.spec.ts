import Redis from 'ioredis';
import { TenantNotFoundError, type TenancyModuleOptions } from 'nestjs-tenancy';
import { defaultRedisKeyPrefix } from '../../libs/tenancy/src/config/redis-key-prefix.util';
import { createRateLimiter } from '../../libs/tenancy/src/resolution/rate-limit/create-rate-limiter';
import { bootAdmin, type AdminApp } from '../admin/support/admin-app';
import { Customer, Order } from '../fixtures/orders.fixture';
import { describeWith, uniqueToken, usePostgresDatabase, useRedisNamespace } from '../support';

/**
 * Issue 12 item 3: two applications on one Redis never read each other's tenants: cache, store,
 * invalidation channel and rate-limit keys live under `redisKeyPrefix`, by default one derived
 * from the tenants registry's database.
 */
describeWith('postgres', 'redisKeyPrefix: two apps on one Redis', () => {
  const dbA = usePostgresDatabase();
  const dbB = usePostgresDatabase();
  const ns = useRedisNamespace();
  const apps: AdminApp[] = [];
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(ns.url);
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });
  afterAll(async () => {
    for (const db of [dbA, dbB]) {
      const keys = await redis.keys(`${defaultRedisKeyPrefix(db.url)}*`);
      if (keys.length) await redis.del(...keys);
    }
    redis.disconnect();
  });
  const boot = async (db: { url: string }, extra: Partial<TenancyModuleOptions> = {}) => {
    const app = await bootAdmin({
      databaseUrl: db.url,
      entities: [Order, Customer],
      redisUrl: ns.url,
      poolSize: 2,
      ...extra,
    });
    apps.push(app);
    return app;
  };

  it('the default prefix differs per registry database, and ignores credentials', () => {
    expect(defaultRedisKeyPrefix(dbA.url)).toMatch(/^tenancy:[0-9a-f]{12}:$/);
    expect(defaultRedisKeyPrefix(dbA.url)).not.toBe(defaultRedisKeyPrefix(dbB.url));
    const other = new URL(dbA.url);
    other.username = 'someone';
    other.password = 'else';
    expect(defaultRedisKeyPrefix(other.toString())).toBe(defaultRedisKeyPrefix(dbA.url));
  });

  it('cache (L2): app B never serves app A’s tenant of the same identifier', async () => {
    const identifier = `shared-${uniqueToken().slice(-8)}`;
    const a = await boot(dbA);
    const b = await boot(dbB);
    await a.admin.register({ identifier, name: 'A' });
    expect((await a.store.getByIdentifier(identifier)).name).toBe('A'); // now in A's L2
    await expect(b.store.getByIdentifier(identifier)).rejects.toBeInstanceOf(TenantNotFoundError);
    const prefixA = defaultRedisKeyPrefix(dbA.url);
    expect(await redis.exists(`${prefixA}cache:ident:${identifier}`)).toBe(1);
  });

  it('Redis store: two apps with their own databases see their own tenants only', async () => {
    const identifier = `redis-${uniqueToken().slice(-8)}`;
    const a = await boot(dbA, {
      store: 'redis',
      cacheEnabled: false,
      isolationStrategy: 'schema',
      schemaPrefix: 'ra_',
    });
    const b = await boot(dbB, {
      store: 'redis',
      cacheEnabled: false,
      isolationStrategy: 'schema',
      schemaPrefix: 'rb_',
    });
    await a.admin.register({ identifier, name: 'A' });
    await expect(b.admin.get(identifier)).rejects.toBeInstanceOf(TenantNotFoundError);
    expect((await b.admin.list()).map((t) => t.identifier)).not.toContain(identifier);
    await a.admin.delete(identifier, { hard: true });
  });

  it('an explicit redisKeyPrefix holds the invalidation channel and every key', async () => {
    const a = await boot(dbA, { redisKeyPrefix: ns.prefix });
    const channels = await redis.pubsub('CHANNELS', `${ns.prefix}*`);
    expect(channels).toEqual([`${ns.prefix}invalidate`]);
    const identifier = `explicit-${uniqueToken().slice(-8)}`;
    await a.admin.register({ identifier, name: 'A' });
    await a.store.getByIdentifier(identifier);
    expect(await redis.exists(`${ns.prefix}cache:ident:${identifier}`)).toBe(1);
    await a.admin.delete(identifier, { hard: true });
  });

  it('rate-limit keys live under the prefix', async () => {
    const limiter = createRateLimiter({
      databaseUrl: dbA.url,
      enableRateLimiting: true,
      redisUrl: ns.url,
      redisKeyPrefix: ns.prefix,
    });
    try {
      const client = (limiter as unknown as { client: Redis }).client;
      if (client.status !== 'ready') await new Promise((r) => client.once('ready', r));
      await limiter!.consume('tenant-x');
      expect(await redis.exists(`${ns.prefix}rl:tenant-x`)).toBe(1);
    } finally {
      await limiter!.close?.();
    }
  });
});
