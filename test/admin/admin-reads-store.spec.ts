import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { TenancyModuleOptions } from 'nestjs-tenancy';
import { Customer, Order } from '../fixtures/orders.fixture';
import { describeWith, usePostgresDatabase, useRedisNamespace } from '../support';
import { TcpRelay } from '../support/tcp-relay';
import { bootAdmin, tenantRows, type AdminApp } from './support/admin-app';

/** Waits (bounded) until `check` holds. */
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('condition never held');
}

/**
 * Issue 18 item 3 (admin part): admin decisions read the store, never the cache. An instance
 * whose cache (L1, or L2 left stale by an outage) still shows a tenant as suspended must write
 * the store when told to suspend it again, instead of returning early with the cached copy.
 */
describeWith('postgres', 'admin decisions read the store, not the cache (two instances)', () => {
  const db = usePostgresDatabase();
  const ns = useRedisNamespace();
  const closers: Array<() => Promise<unknown>> = [];
  const base = (): TenancyModuleOptions => ({
    databaseUrl: db.url,
    isolationStrategy: 'schema',
    schemaPrefix: 'ars_',
    entities: [Order, Customer],
    poolSize: 2,
  });
  const boot = async (options: TenancyModuleOptions): Promise<AdminApp> => {
    const app = await bootAdmin(options);
    closers.push(() => app.close());
    return app;
  };
  const storedStatus = async (identifier: string) => (await tenantRows(db.url, identifier))[0]?.status;
  beforeAll(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    jest.restoreAllMocks();
  });

  it('L1 only (no Redis): a stale "suspended" in L1 does not stop suspend() from writing the store', async () => {
    const one = await boot(base());
    const two = await boot(base());
    const tenant = await one.admin.register({ identifier: 'l1-stale', name: 'L1' });
    await two.admin.suspend(tenant.id);
    expect((await two.store.getById(tenant.id)).status).toBe('suspended'); // cached in two's L1
    await one.admin.activate(tenant.id); // two has no way to hear of it: no Redis
    expect(await storedStatus('l1-stale')).toBe('active');
    expect(two.store.peekByIdentifier?.('l1-stale')?.status).toBe('suspended');

    const result = await two.admin.suspend('l1-stale');
    expect(result.status).toBe('suspended');
    expect(await storedStatus('l1-stale')).toBe('suspended');
    expect((await two.admin.get('l1-stale')).status).toBe('suspended');
  });

  it('L1 only: activate() and delete() decide on the stored status too', async () => {
    const one = await boot(base());
    const two = await boot(base());
    const tenant = await one.admin.register({ identifier: 'l1-other', name: 'L1b' });
    expect((await two.store.getById(tenant.id)).status).toBe('active'); // cached in two's L1
    await one.admin.suspend(tenant.id);
    expect((await two.admin.get(tenant.id)).status).toBe('suspended'); // get() reads the store
    await two.admin.activate(tenant.id);
    expect(await storedStatus('l1-other')).toBe('active');

    await one.admin.delete(tenant.id); // soft
    expect(await storedStatus('l1-other')).toBe('deleted');
    await expect(two.admin.suspend(tenant.id)).rejects.toThrow(/Cannot suspend tenant "l1-other": it is deleted/);
    expect(await storedStatus('l1-other')).toBe('deleted');
  });

  it('a stale "active" copy is dropped when the admin looks: suspend() of a suspended tenant heals the cache', async () => {
    const one = await boot(base());
    const two = await boot(base());
    const tenant = await one.admin.register({ identifier: 'l1-heal', name: 'Heal' });
    expect((await two.store.getByIdentifier('l1-heal')).status).toBe('active'); // cached in two's L1
    await one.admin.suspend(tenant.id);
    expect(two.store.peekByIdentifier?.('l1-heal')?.status).toBe('active'); // stale: nobody told two

    expect((await two.admin.suspend('l1-heal')).status).toBe('suspended'); // nothing to write...
    expect(two.store.peekByIdentifier?.('l1-heal')).toBeUndefined(); // ...but the stale copy is gone
    expect((await two.store.getByIdentifier('l1-heal')).status).toBe('suspended');
  });

  it('L2 left stale by an outage: suspend() through the other instance writes the store', async () => {
    const relay = await TcpRelay.to(ns.url, 6379).start();
    closers.push(() => relay.close());
    const redis = { redisKeyPrefix: ns.prefix, l1CacheTtlSeconds: 60 };
    const one = await boot({ ...base(), ...redis, redisUrl: relay.url(ns.url) });
    const two = await boot({ ...base(), ...redis, redisUrl: ns.url });
    const tenant = await one.admin.register({ identifier: 'l2-stale', name: 'L2' });
    await one.admin.suspend(tenant.id);
    expect((await one.store.getById(tenant.id)).status).toBe('suspended'); // and into L2:
    const raw = new Redis(ns.url);
    closers.push(() => raw.quit());
    await until(async () => (await raw.exists(`${ns.prefix}cache:ident:l2-stale`)) === 1);

    relay.cut(); // one cannot reach Redis: its activation leaves the L2 entry as it was
    await until(async () => (await one.admin.getMetrics()).l2Cache.errors > 0);
    await one.admin.activate(tenant.id);
    expect(await storedStatus('l2-stale')).toBe('active');
    expect((await two.store.getByIdentifier('l2-stale')).status).toBe('suspended'); // two: L2 hit

    await two.admin.suspend(tenant.id);
    expect(await storedStatus('l2-stale')).toBe('suspended');
    relay.restore();
  });
});
