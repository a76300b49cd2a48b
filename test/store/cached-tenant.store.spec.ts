import { Logger } from '@nestjs/common';
import { TenantNotFoundError } from 'nestjs-tenancy/errors';
import type { Tenant } from 'nestjs-tenancy/models/tenant.model';
import { CachedTenantStore, InMemoryTenantStore, TypeOrmTenantStore } from 'nestjs-tenancy/store';
import { describeWith, serviceUrl, usePostgresDatabase, useRedisNamespace } from '../support';
import { TcpRelay } from '../support/tcp-relay';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `read` until `done` holds; returns the elapsed ms (fails after `limitMs`). */
async function within(limitMs: number, read: () => Promise<unknown>, done: (v: unknown) => boolean): Promise<number> {
  const start = Date.now();
  for (;;) {
    const value = await read().catch((e: unknown) => e);
    if (done(value)) return Date.now() - start;
    if (Date.now() - start > limitMs) throw new Error(`not observed within ${limitMs} ms; last: ${String(value)}`);
    await sleep(10);
  }
}

const statusOf = (v: unknown) => (v as Tenant | undefined)?.status;
const redisUnavailableWarnings = (spy: jest.SpyInstance) =>
  spy.mock.calls.filter(([m]) => String(m).startsWith('Redis unavailable')).length;

describeWith('postgres', 'CachedTenantStore across two instances (PostgreSQL store + Redis)', () => {
  describeWith('redis', 'with Redis', () => {
    const stores: Array<{ close(): Promise<void> }> = [];
    afterAll(async () => {
      for (const s of stores.reverse()) await s.close();
    });
    const db = usePostgresDatabase();
    const redis = useRedisNamespace();
    let a: CachedTenantStore;
    let b: CachedTenantStore;
    let innerB: TypeOrmTenantStore;

    /** One "app instance": its own DataSource on the shared database, its own cache. */
    async function instance(): Promise<{ cached: CachedTenantStore; inner: TypeOrmTenantStore }> {
      const inner = await TypeOrmTenantStore.open(db.url);
      const cached = new CachedTenantStore(inner, {
        redisUrl: redis.url,
        namespace: redis.prefix,
        ttlSeconds: 60,
        closeInner: true,
      });
      stores.push(cached);
      await cached.connect();
      return { cached, inner };
    }

    beforeAll(async () => {
      a = (await instance()).cached;
      ({ cached: b, inner: innerB } = await instance());
    });

    it('a suspension in one instance takes effect in the other within a second', async () => {
      const t = await a.create({ identifier: 'acme', name: 'Acme', isolationStrategy: 'schema' });
      // B caches it in L1 (TTL 60 s). Its first lookup may overlap the create's own invalidation
      // message, and then it is deliberately not cached: read until it is.
      const cachedInB = async () => (await b.getByIdentifier('acme')) && b.peekByIdentifier('acme');
      await within(1000, cachedInB, (v) => statusOf(v) === 'active');
      await a.setStatus(t.id, 'suspended');
      const ms = await within(
        1000,
        () => b.getByIdentifier('acme'),
        (v) => statusOf(v) === 'suspended',
      );
      expect(ms).toBeLessThan(1000);
      expect(b.peekByIdentifier('acme')?.status).toBe('suspended');
      await a.setStatus(t.id, 'active');
      await within(
        1000,
        () => b.getById(t.id),
        (v) => statusOf(v) === 'active',
      );
    });

    it('a tenant created in one instance is found by the other despite its negative cache', async () => {
      await expect(b.getByIdentifier('newco')).rejects.toThrow(TenantNotFoundError);
      expect(b.peekByIdentifier('newco')).toBeNull();
      await a.create({ identifier: 'newco', name: 'NewCo', isolationStrategy: 'schema' });
      await within(
        1000,
        () => b.getByIdentifier('newco'),
        (v) => statusOf(v) === 'active',
      );
    });

    it('a deletion in one instance reaches the other', async () => {
      const t = await a.create({ identifier: 'gone', name: 'Gone', isolationStrategy: 'schema' });
      await b.getByIdentifier('gone');
      await a.delete(t.id);
      await within(
        1000,
        () => b.getByIdentifier('gone'),
        (v) => v instanceof TenantNotFoundError,
      );
    });

    it('a fresh instance is served from L2 without touching the store', async () => {
      await a.getByIdentifier('acme'); // fills L2
      const { cached: c, inner } = await instance();
      const spy = jest.spyOn(inner, 'getByIdentifier');
      expect((await c.getByIdentifier('acme')).identifier).toBe('acme');
      expect(spy).not.toHaveBeenCalled();
      expect(c.stats().l2).toMatchObject({ enabled: true, hits: 1, errors: 0 });
      expect(c.peekByIdentifier('acme')?.identifier).toBe('acme'); // the L2 hit refilled L1
    });

    it('concurrent misses in one instance make one store call', async () => {
      await a.create({ identifier: 'crowd', name: 'Crowd', isolationStrategy: 'schema' });
      const spy = jest.spyOn(innerB, 'getByIdentifier');
      await Promise.all(Array.from({ length: 30 }, () => b.getByIdentifier('ghost-town').catch(() => undefined)));
      expect(spy).toHaveBeenCalledTimes(1);
      spy.mockRestore();
    });
  });
});

describe('CachedTenantStore when Redis is down', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('serves from L1 and the store, never throws, and warns once', async () => {
    const inner = new InMemoryTenantStore();
    const store = new CachedTenantStore(inner, { redisUrl: 'redis://127.0.0.1:1' });
    await store.connect(); // resolves although nothing listens
    const t = await store.create({ identifier: 'acme', name: 'Acme', isolationStrategy: 'schema' });
    for (let i = 0; i < 20; i++) expect((await store.getByIdentifier('acme')).id).toBe(t.id);
    await store.setStatus(t.id, 'suspended');
    expect((await store.getById(t.id)).status).toBe('suspended');
    await expect(store.getByIdentifier('bogus')).rejects.toThrow(TenantNotFoundError);
    await store.delete(t.id);
    expect(redisUnavailableWarnings(warn)).toBe(1);
    expect(store.stats().l2).toMatchObject({ enabled: true, hits: 0 });
    expect(store.stats().l2.errors).toBeGreaterThan(0);
    await store.close();
  });
});

describeWith('redis', 'CachedTenantStore when Redis goes away and comes back', () => {
  const redis = useRedisNamespace();
  let proxy: TcpRelay;
  afterAll(() => proxy?.close());
  beforeAll(async () => {
    proxy = await TcpRelay.to(serviceUrl('redis'), 6379).start();
  });

  it('keeps answering through the outage, warns once, and resumes L2 afterwards', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const inner = new InMemoryTenantStore();
    const store = new CachedTenantStore(inner, {
      redisUrl: `redis://127.0.0.1:${proxy.port}`,
      namespace: redis.prefix,
    });
    try {
      await store.connect();
      const t = await store.create({ identifier: 'acme', name: 'Acme', isolationStrategy: 'schema' });
      await store.getByIdentifier('acme');
      proxy.cut();
      for (let i = 0; i < 5; i++) {
        await store.setStatus(t.id, i % 2 ? 'active' : 'suspended');
        expect((await store.getByIdentifier('acme')).status).toBe(i % 2 ? 'active' : 'suspended');
        await sleep(50);
      }
      expect(redisUnavailableWarnings(warn)).toBe(1);
      proxy.restore();
      await within(
        5000,
        async () => log.mock.calls.length,
        () => log.mock.calls.some(([m]) => /reachable again/.test(String(m))),
      );
      await store.update(t.id, { name: 'Back' });
      expect((await store.getByIdentifier('acme')).name).toBe('Back');
      // L2 is used again once the subscription is back and has retired the entries from before.
      const l2Lookups = () => store.stats().l2.hits + store.stats().l2.misses;
      const lookupsBefore = l2Lookups();
      await within(
        5000,
        async () => (await store.update(t.id, { name: 'Back' }), await store.getByIdentifier('acme')),
        () => l2Lookups() > lookupsBefore,
      );
      expect(redisUnavailableWarnings(warn)).toBe(1);
    } finally {
      await store.close();
      jest.restoreAllMocks();
    }
  });
});

/** A TCP proxy to Redis that can be cut and restored, to simulate an outage. */
