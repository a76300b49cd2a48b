import { TenantNotFoundError } from '../errors/tenant-not-found.error';
import type { Tenant } from '../models/tenant.model';
import { CachedTenantStore } from './cached-tenant.store';
import { InMemoryTenantStore } from './in-memory-tenant.store';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** L1 only (no Redis): hits, negative caching, single flight, local invalidation. */
describe('CachedTenantStore (L1)', () => {
  let inner: InMemoryTenantStore;
  let byIdentifier: jest.SpyInstance;
  let byId: jest.SpyInstance;
  let store: CachedTenantStore;
  const make = (identifier = 'acme') => store.create({ identifier, name: identifier, isolationStrategy: 'schema' });

  beforeEach(() => {
    inner = new InMemoryTenantStore();
    byIdentifier = jest.spyOn(inner, 'getByIdentifier');
    byId = jest.spyOn(inner, 'getById');
    store = new CachedTenantStore(inner, { l1MaxSize: 100, ttlSeconds: 60, negativeTtlMs: 5000 });
  });
  afterEach(() => store.close());

  it('serves repeated lookups from L1, by identifier and by id, and peeks synchronously', async () => {
    const t = await make();
    expect(store.peekByIdentifier('acme')).toBeUndefined();
    const first = await store.getByIdentifier('acme');
    expect(first).toEqual(t);
    expect(store.peekByIdentifier('acme')).toBe(first);
    expect(await store.getByIdentifier('acme')).toBe(first);
    expect(await store.getById(t.id)).toBe(first);
    expect(byIdentifier).toHaveBeenCalledTimes(1);
    expect(byId).not.toHaveBeenCalled();
    expect(Object.isFrozen(first)).toBe(true);
    expect(store.stats()).toEqual({
      l1: { size: 1, hits: 3, misses: 1, hitRatePct: 75 },
      l2: { enabled: false, hits: 0, misses: 0, errors: 0 },
    });
  });

  it('makes ONE store call for concurrent misses of one key, then forgets the flight', async () => {
    await make();
    const results = await Promise.all(Array.from({ length: 50 }, () => store.getByIdentifier('acme')));
    expect(new Set(results).size).toBe(1);
    expect(byIdentifier).toHaveBeenCalledTimes(1);
    const misses = await Promise.allSettled(Array.from({ length: 50 }, () => store.getByIdentifier('ghost')));
    expect(misses.every((r) => r.status === 'rejected' && r.reason instanceof TenantNotFoundError)).toBe(true);
    expect(byIdentifier).toHaveBeenCalledTimes(2);
  });

  it('remembers unknown identifiers for the negative TTL only', async () => {
    // A TTL that a loaded machine cannot outrun within the loop (40 ms with 100 awaits flaked under load).
    store = new CachedTenantStore(inner, { negativeTtlMs: 400 });
    for (let i = 0; i < 20; i++) await expect(store.getByIdentifier('bogus')).rejects.toThrow(TenantNotFoundError);
    expect(byIdentifier).toHaveBeenCalledTimes(1);
    expect(store.peekByIdentifier('bogus')).toBeNull();
    await expect(store.getById('3b241101-e2bb-4255-8caf-4136c566a962')).rejects.toThrow(TenantNotFoundError);
    await sleep(450);
    await expect(store.getByIdentifier('bogus')).rejects.toThrow(TenantNotFoundError);
    expect(byIdentifier).toHaveBeenCalledTimes(2);
  });

  it('forgets a negative entry when that identifier is created', async () => {
    await expect(store.getByIdentifier('newco')).rejects.toThrow(TenantNotFoundError);
    const t = await make('newco');
    expect(await store.getByIdentifier('newco')).toEqual(t);
  });

  it.each([
    ['setStatus', (s: CachedTenantStore, t: Tenant) => s.setStatus(t.id, 'suspended'), 'suspended'],
    ['update', (s: CachedTenantStore, t: Tenant) => s.update(t.id, { status: 'provisioning' }), 'provisioning'],
  ])('invalidates both keys on %s', async (_, write, status) => {
    const t = await make();
    await store.getByIdentifier('acme');
    await write(store, t);
    expect(store.peekByIdentifier('acme')).toBeUndefined();
    expect((await store.getByIdentifier('acme')).status).toBe(status);
    expect((await store.getById(t.id)).status).toBe(status);
  });

  it('invalidates on delete', async () => {
    const t = await make();
    await store.getById(t.id);
    await store.delete(t.id);
    await expect(store.getByIdentifier('acme')).rejects.toThrow(TenantNotFoundError);
    await expect(store.getById(t.id)).rejects.toThrow(TenantNotFoundError);
  });

  it('does not cache what a lookup read before a concurrent write', async () => {
    const t = await make();
    let release: () => void = () => undefined;
    byIdentifier.mockImplementationOnce(async (identifier: string) => {
      const stale = await InMemoryTenantStore.prototype.getByIdentifier.call(inner, identifier);
      await new Promise<void>((r) => (release = r));
      return stale;
    });
    const slow = store.getByIdentifier('acme');
    await sleep(5);
    await store.setStatus(t.id, 'suspended');
    release();
    expect((await slow).status).toBe('active'); // read before the write: fine to answer
    expect((await store.getByIdentifier('acme')).status).toBe('suspended'); // but never cached
  });

  it('expires entries after the TTL and bounds L1 by l1MaxSize', async () => {
    store = new CachedTenantStore(inner, { ttlSeconds: 0.05, l1MaxSize: 2 });
    for (const name of ['a-1', 'b-2', 'c-3']) {
      await make(name);
      await store.getByIdentifier(name);
    }
    expect(store.stats().l1.size).toBe(2);
    await store.getByIdentifier('c-3');
    expect(byIdentifier).toHaveBeenCalledTimes(3);
    await sleep(80);
    await store.getByIdentifier('c-3');
    expect(byIdentifier).toHaveBeenCalledTimes(4);
  });

  it('passes list and count through, and closes the wrapped store only with closeInner', async () => {
    await make();
    expect(await store.count()).toBe(1);
    expect((await store.list({ limit: 1 }))[0].identifier).toBe('acme');
    const close = jest.fn(async () => undefined);
    const owned = new CachedTenantStore(Object.assign(new InMemoryTenantStore(), { close }), { closeInner: true });
    await owned.close();
    await owned.close();
    expect(close).toHaveBeenCalledTimes(1);
  });
});
