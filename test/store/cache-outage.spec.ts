import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { CachedTenantStore, TypeOrmTenantStore } from 'nestjs-tenancy/store';
import type { Tenant } from 'nestjs-tenancy/models/tenant.model';
import { l2Status } from '../support/l2-entry';
import { TcpRelay } from '../support/tcp-relay';
import { describeWith, usePostgresDatabase, useRedisNamespace } from '../support';

async function eventually(read: () => Promise<unknown>, done: (v: unknown) => boolean, limitMs = 10_000) {
  const start = Date.now();
  let value: unknown;
  while (Date.now() - start < limitMs) {
    value = await read().catch((e: unknown) => e);
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  return value;
}

/**
 * Issue 18 item 3: a suspension made while Redis is unreachable (its L2 delete and its publish
 * skipped) is sent once Redis is back, so neither the stale L2 entry nor another instance's L1
 * serves the suspended tenant again.
 */
describeWith('postgres', 'a suspension during a Redis outage sticks once Redis is back', () => {
  const db = usePostgresDatabase();
  const ns = useRedisNamespace();
  const closers: Array<() => Promise<unknown>> = [];
  beforeAll(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    jest.restoreAllMocks();
  });

  it('the skipped delete and publish are replayed: both instances answer suspended', async () => {
    const proxy = await TcpRelay.to(ns.url, 6379).start();
    closers.push(() => proxy.close());
    const options = { namespace: ns.prefix, ttlSeconds: 60, closeInner: true };
    const a = new CachedTenantStore(await TypeOrmTenantStore.open(db.url), {
      ...options,
      redisUrl: proxy.url(ns.url),
    });
    const b = new CachedTenantStore(await TypeOrmTenantStore.open(db.url), { ...options, redisUrl: ns.url });
    closers.push(
      () => a.close(),
      () => b.close(),
    );
    await a.connect();
    await b.connect();
    const t = await a.create({ identifier: 'outage-co', name: 'Outage', isolationStrategy: 'schema' });
    // B caches it (L1 and L2).
    await eventually(
      async () => (await b.getByIdentifier('outage-co')) && b.peekByIdentifier('outage-co'),
      (v) => (v as Tenant | undefined)?.status === 'active',
    );
    const redis = new Redis(ns.url);
    closers.push(() => redis.quit());
    expect(await redis.exists(`${ns.prefix}cache:ident:outage-co`)).toBe(1);

    proxy.cut();
    await eventually(
      async () => a.stats().l2.errors,
      (v) => (v as number) > 0,
    );
    await a.setStatus(t.id, 'suspended'); // the store is written; Redis is not reachable from A
    expect((await a.getByIdentifier('outage-co')).status).toBe('suspended');
    proxy.restore();

    const seenByB = await eventually(
      () => b.getByIdentifier('outage-co'),
      (v) => (v as Tenant | undefined)?.status === 'suspended',
    );
    expect((seenByB as Tenant).status).toBe('suspended');
    expect([null, 'suspended']).toContain(await l2Status(redis, ns.prefix, 'outage-co'));
  });
});
