import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import request from 'supertest';
import { TenantAdminService, type TenancyModuleOptions, type Tenant } from 'nestjs-tenancy';
import { bootAdmin, type AdminApp } from '../admin/support/admin-app';
import { Customer, Order, ordersAppModule } from '../fixtures/orders.fixture';
import { describeWith, usePostgresDatabase, useRedisNamespace } from '../support';
import { bootApp } from '../support/tenancy-app';
import { TcpRelay } from '../support/tcp-relay';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => Promise<boolean>, limitMs = 10_000): Promise<boolean> {
  const start = Date.now();
  while (Date.now() - start < limitMs) {
    if (await check()) return true;
    await sleep(20);
  }
  return check();
}

/**
 * Issue 18 items 2 and 3: a suspension sticks through a Redis outage even when the instance that
 * made it dies before Redis comes back (its unsent invalidation is lost with it). Two app
 * instances share PostgreSQL and Redis; a TCP relay cuts Redis off.
 * - Bound: a cached copy is never served more than `l1CacheTtlSeconds` after the store read that
 *   produced it (L1 filled from L2 inherits the L2 entry's remaining life), so every instance
 *   stops serving the old state within that bound of the store write, invalidation or not.
 * - An instance that resubscribes after an outage retires every L2 entry written before it and
 *   drops its L1: it serves nothing it may have missed an invalidation for.
 */
describeWith('postgres', 'a suspension sticks when its instance dies during a Redis outage', () => {
  const db = usePostgresDatabase();
  const ns = useRedisNamespace();
  const closers: Array<() => Promise<unknown>> = [];
  const options = (redisUrl: string, ttl: number): TenancyModuleOptions => ({
    databaseUrl: db.url,
    isolationStrategy: 'schema',
    schemaPrefix: 'cb_',
    entities: [Order, Customer],
    poolSize: 2,
    redisUrl,
    redisKeyPrefix: ns.prefix,
    l1CacheTtlSeconds: ttl,
  });
  const boot = async (redisUrl: string, ttl: number): Promise<AdminApp> => {
    const app = await bootAdmin(options(redisUrl, ttl));
    closers.push(() => app.close());
    return app;
  };
  let raw: Redis;
  beforeAll(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    raw = new Redis(ns.url);
  });
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    await raw.quit();
    jest.restoreAllMocks();
  });
  const inL2 = (identifier: string) =>
    until(async () => (await raw.exists(`${ns.prefix}cache:ident:${identifier}`)) === 1);

  it('another instance that never lost Redis stops serving it within l1CacheTtlSeconds of the write', async () => {
    const ttlMs = 3_000;
    const relay = await TcpRelay.to(ns.url, 6379).start();
    closers.push(() => relay.close());
    const one = await boot(relay.url(ns.url), ttlMs / 1000);
    const two = await boot(ns.url, ttlMs / 1000);
    const tenant = await one.admin.register({ identifier: 'bound-co', name: 'Bound' });
    expect((await one.store.getByIdentifier('bound-co')).status).toBe('active'); // fills L2
    expect(await inL2('bound-co')).toBe(true);
    expect(two.store.peekByIdentifier?.('bound-co')).toBeUndefined();

    relay.cut();
    expect(await until(async () => (await one.admin.getMetrics()).l2Cache.errors > 0)).toBe(true);
    await one.admin.suspend(tenant.id); // the store is written; L2 delete and publish cannot go
    const written = Date.now();
    await one.close(); // ...and never will: the instance is gone

    // Two reads the stale L2 entry late in its life (it has served nothing so far).
    await sleep(ttlMs * 0.6);
    expect((await two.store.getByIdentifier('bound-co')).status).toBe('active');
    let lastActive = Date.now();
    let seen: Tenant['status'] = 'active';
    for (let i = 0; i < 200 && seen === 'active'; i++) {
      await sleep(25);
      seen = (await two.store.getByIdentifier('bound-co')).status;
      if (seen === 'active') lastActive = Date.now();
    }
    expect(seen).toBe('suspended');
    // A copy from a store read before the write expires before written + TTL (clock: this process).
    expect(lastActive - written).toBeLessThan(ttlMs);
  });

  it('an instance resubscribing after the outage retires the L2 entries written before it', async () => {
    const relay = await TcpRelay.to(ns.url, 6379).start();
    closers.push(() => relay.close());
    // A long TTL: only the resubscription can explain the suspension being seen.
    const one = await boot(relay.url(ns.url), 60);
    const two = await boot(relay.url(ns.url), 60);
    const tenant = await one.admin.register({ identifier: 'resub-co', name: 'Resub' });
    // Two caches it (L1 and L2); a read overlapping the registration's messages caches nothing.
    const cached = async () =>
      (await two.store.getByIdentifier('resub-co')) && two.store.peekByIdentifier?.('resub-co');
    expect(await until(async () => (await cached())?.status === 'active')).toBe(true);
    expect(await inL2('resub-co')).toBe(true);

    relay.cut(); // Redis is gone for both instances
    expect(await until(async () => (await one.admin.getMetrics()).l2Cache.errors > 0)).toBe(true);
    await one.admin.suspend(tenant.id);
    await one.close(); // its unsent invalidation dies with it
    expect((await two.store.getByIdentifier('resub-co')).status).toBe('active'); // two's L1: within the bound
    relay.restore();

    expect(await until(async () => (await two.store.getByIdentifier('resub-co')).status === 'suspended')).toBe(true);
  });

  it('over HTTP: after the outage the other app answers the uniform 404, its suspender dead', async () => {
    const relay = await TcpRelay.to(ns.url, 6379).start();
    closers.push(() => relay.close());
    const boot = async () => {
      const app = await bootApp(ordersAppModule(options(relay.url(ns.url), 60)));
      closers.push(() => app.close());
      return app;
    };
    const one = await boot();
    const two = await boot();
    const tenant = await one.get(TenantAdminService).register({ identifier: 'http-co', name: 'Http' });
    const get = () => request(two.getHttpServer()).get('/orders').set('X-Tenant-ID', 'http-co');
    expect((await get()).status).toBe(200); // two: cached in L1 (and L2)
    expect(await inL2('http-co')).toBe(true);

    relay.cut();
    expect(await until(async () => (await one.get(TenantAdminService).getMetrics()).l2Cache.errors > 0)).toBe(true);
    await one.get(TenantAdminService).suspend(tenant.id);
    await one.close();
    relay.restore();

    expect(await until(async () => (await get()).status === 404)).toBe(true);
    expect((await get()).body).toEqual({ statusCode: 404, message: 'Tenant not found' });
  });
});
