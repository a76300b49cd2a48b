import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { Tenant } from 'nestjs-tenancy/models/tenant.model';
import { CachedTenantStore, InMemoryTenantStore } from 'nestjs-tenancy/store';
import { describeWith, useRedisNamespace } from '../support';

/**
 * A Redis L2 entry is checked against its key before it is served (issue 14): an entry naming
 * another tenant (written by a bug, a shared Redis, or by hand) is evicted and the tenant reloaded
 * from the store. The entries are written straight into real Redis.
 */
describeWith('redis', 'CachedTenantStore: a poisoned L2 entry never serves another tenant', () => {
  const redis = useRedisNamespace();
  const stores: CachedTenantStore[] = [];
  let raw: Redis;
  let inner: InMemoryTenantStore;
  let acme: Tenant;
  let beta: Tenant;

  const cached = async () => {
    const store = new CachedTenantStore(inner, { redisUrl: redis.url, namespace: redis.prefix, ttlSeconds: 60 });
    stores.push(store);
    await store.connect();
    return store;
  };
  const key = (kind: 'id' | 'ident', value: string) => `${redis.prefix}cache:${kind}:${value}`;
  /** Entries are `<epoch>|<json>`: the JSON of one, and a value of the current epoch holding `json`. */
  const jsonOf = async (k: string) => {
    const value = (await raw.get(k))!;
    return value.slice(value.indexOf('|') + 1);
  };
  const entry = async (json: string) => `${await raw.get(`${redis.prefix}cache:epoch`)}|${json}`;
  /** Both tenants cached in L2 the honest way (one store reads them, so it writes them). */
  const warm = async () => {
    const writer = await cached();
    await writer.getByIdentifier('acme');
    await writer.getByIdentifier('beta');
    for (const k of [key('ident', 'acme'), key('id', acme.id), key('ident', 'beta'), key('id', beta.id)])
      await until(async () => (await raw.exists(k)) === 1);
  };

  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    raw = new Redis(redis.url);
    inner = new InMemoryTenantStore();
    acme = await inner.create({ identifier: 'acme', name: 'Acme', isolationStrategy: 'schema' });
    beta = await inner.create({ identifier: 'beta', name: 'Beta', isolationStrategy: 'schema' });
  });
  beforeEach(async () => {
    const keys = await raw.keys(`${redis.prefix}*`);
    if (keys.length) await raw.del(...keys);
    await warm();
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    raw?.disconnect();
    jest.restoreAllMocks();
  });

  it('serves honest L2 entries (the check keeps L2 useful)', async () => {
    const reader = await cached();
    expect((await reader.getByIdentifier('acme')).id).toBe(acme.id);
    expect((await reader.getById(beta.id)).identifier).toBe('beta');
    expect(reader.stats().l2.hits).toBe(2);
  });

  it("an identifier key holding another tenant's entry: evicted, the right tenant reloaded", async () => {
    await raw.set(key('ident', 'acme'), (await raw.get(key('ident', 'beta')))!);
    const reader = await cached();
    const tenant = await reader.getByIdentifier('acme');
    expect([tenant.id, tenant.identifier]).toEqual([acme.id, 'acme']);
    expect(reader.stats().l2.hits).toBe(0);
    await until(async () => (await raw.exists(key('ident', 'acme'))) === 1);
    expect(JSON.parse(await jsonOf(key('ident', 'acme'))).id).toBe(acme.id);
  });

  it("an id key holding another tenant's entry: evicted, the right tenant reloaded", async () => {
    await raw.set(key('id', acme.id), (await raw.get(key('id', beta.id)))!);
    const tenant = await (await cached()).getById(acme.id);
    expect([tenant.id, tenant.identifier]).toEqual([acme.id, 'acme']);
  });

  it("an entry with the key's identifier but another tenant's id (its twin disagrees): refused", async () => {
    const forged = { ...JSON.parse(await jsonOf(key('ident', 'beta'))), identifier: 'acme' };
    await raw.set(key('ident', 'acme'), await entry(JSON.stringify(forged)));
    const tenant = await (await cached()).getByIdentifier('acme');
    expect(tenant.id).toBe(acme.id);
  });

  it("an entry with the key's identifier but another tenant's id (no twin cached): refused", async () => {
    const forged = { ...JSON.parse(await jsonOf(key('ident', 'beta'))), identifier: 'acme' };
    await raw.del(key('id', beta.id));
    await raw.set(key('ident', 'acme'), await entry(JSON.stringify(forged)));
    const tenant = await (await cached()).getByIdentifier('acme');
    expect(tenant.id).toBe(acme.id);
  });

  it.each([
    ['not JSON', 'not json at all'],
    ['JSON without the tenant fields', '{"hello":"world"}'],
    ['a JSON array', '["acme"]'],
  ])('an entry that is %s: evicted, the tenant reloaded from the store', async (_name, value) => {
    await raw.set(key('ident', 'acme'), await entry(value));
    const reader = await cached();
    expect((await reader.getByIdentifier('acme')).id).toBe(acme.id);
    expect(reader.stats().l2.errors).toBe(0); // a bad entry is not a Redis outage
  });
});

async function until(check: () => Promise<boolean>, limitMs = 2000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > limitMs) throw new Error(`condition not met within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
