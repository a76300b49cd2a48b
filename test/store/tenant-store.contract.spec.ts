import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TenantAlreadyExistsError, TenantNotFoundError } from 'nestjs-tenancy/errors';
import type { Tenant } from 'nestjs-tenancy/models/tenant.model';
import {
  CachedTenantStore,
  InMemoryTenantStore,
  RedisTenantStore,
  TenantWriteRefusedError,
  TypeOrmTenantStore,
  type TenantStore,
} from 'nestjs-tenancy/store';
import { describeWith, useMysqlDatabase, usePostgresDatabase, useRedisNamespace } from '../support';

type Service = 'postgres' | 'mysql' | 'redis';
interface StoreCase {
  readonly name: string;
  readonly service?: Service;
  /** Registers the hooks that open and close the store; returns its getter. */
  readonly use: () => () => TenantStore;
}

/** Opens and closes a store around the file; `close` is registered first so it runs before database teardown. */
function useStore<C>(useServer: () => C, open: (server: C) => Promise<TenantStore> | TenantStore): () => TenantStore {
  let store: TenantStore | undefined;
  afterAll(async () => store?.close?.());
  const server = useServer();
  beforeAll(async () => {
    store = await open(server);
  });
  return () => {
    if (!store) throw new Error('store not opened');
    return store;
  };
}

function useSqliteFile(): { url: string } {
  const ctx = { url: '', dir: '' };
  beforeAll(() => {
    ctx.dir = mkdtempSync(join(tmpdir(), 'tenancy-store-'));
    ctx.url = `sqlite:${join(ctx.dir, 'master.sqlite')}`;
  });
  afterAll(() => rmSync(ctx.dir, { recursive: true, force: true }));
  return ctx;
}

const cases: StoreCase[] = [
  {
    name: 'InMemoryTenantStore',
    use: () =>
      useStore(
        () => null,
        () => new InMemoryTenantStore(),
      ),
  },
  {
    name: 'TypeOrmTenantStore on PostgreSQL',
    service: 'postgres',
    use: () => useStore(usePostgresDatabase, (db) => TypeOrmTenantStore.open(db.url)),
  },
  {
    name: 'TypeOrmTenantStore on MySQL/MariaDB',
    service: 'mysql',
    use: () => useStore(useMysqlDatabase, (db) => TypeOrmTenantStore.open(db.url)),
  },
  {
    name: 'TypeOrmTenantStore on SQLite (file)',
    use: () => useStore(useSqliteFile, (db) => TypeOrmTenantStore.open(db.url)),
  },
  {
    name: 'RedisTenantStore',
    service: 'redis',
    use: () => useStore(useRedisNamespace, (r) => new RedisTenantStore(r.url, { namespace: r.prefix })),
  },
  {
    name: 'CachedTenantStore (L1 + Redis L2) over InMemoryTenantStore',
    service: 'redis',
    use: () =>
      useStore(useRedisNamespace, async (r) => {
        const store = new CachedTenantStore(new InMemoryTenantStore(), { redisUrl: r.url, namespace: r.prefix });
        await store.connect();
        return store;
      }),
  },
];

const ident = (prefix = 't') => `${prefix}-${randomBytes(4).toString('hex')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isSorted = (ts: Tenant[]) =>
  ts.every(
    (t, i) =>
      i === 0 || ts[i - 1].createdAt < t.createdAt || (+ts[i - 1].createdAt === +t.createdAt && ts[i - 1].id < t.id),
  );

describe.each(cases)('TenantStore contract: $name', ({ name, service, use }) => {
  const body = () => contract(use());
  if (service) describeWith(service, name, body);
  else body();
});

function contract(store: () => TenantStore): void {
  const create = (identifier = ident(), extra: Partial<Parameters<TenantStore['create']>[0]> = {}) =>
    store().create({ identifier, name: `Tenant ${identifier}`, isolationStrategy: 'schema', ...extra });

  it('creates a tenant with defaults, readable by id and by identifier', async () => {
    const t = await create();
    expect(t.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(t).toMatchObject({
      status: 'active',
      tier: 'standard',
      databaseUrl: null,
      metadata: {},
      isolationStrategy: 'schema',
    });
    expect(t.createdAt).toBeInstanceOf(Date);
    expect(t.updatedAt.getTime()).toBe(t.createdAt.getTime());
    expect(await store().getById(t.id)).toEqual(t);
    expect(await store().getByIdentifier(t.identifier)).toEqual(t);
  });

  it('keeps every field, metadata and dates across a round trip', async () => {
    const metadata = {
      plan: 'gold',
      seats: 42,
      ratio: 0.5,
      on: true,
      none: null,
      tags: ['a', 'b'],
      nested: { deep: { x: 'ü ✓ 日本' } },
    };
    const t = await create(ident(), {
      status: 'provisioning',
      tier: 'premium',
      isolationStrategy: 'database',
      databaseUrl: 'postgresql://u@h/db',
      metadata,
    });
    const read = await store().getById(t.id);
    expect(read).toEqual({ ...t, metadata });
    expect(read.createdAt).toBeInstanceOf(Date);
    expect(read.updatedAt).toBeInstanceOf(Date);
    expect(read.createdAt.getTime()).toBe(t.createdAt.getTime());
    expect(Object.isFrozen(read)).toBe(true);
  });

  it('accepts a caller-chosen id', async () => {
    const id = randomUUID();
    expect((await create(ident(), { id })).id).toBe(id);
    expect((await store().getById(id)).id).toBe(id);
  });

  it("refuses a duplicate identifier, whatever the first one's status", async () => {
    const t = await create();
    await expect(create(t.identifier)).rejects.toThrow(TenantAlreadyExistsError);
    await store().setStatus(t.id, 'deleted');
    await expect(create(t.identifier)).rejects.toThrow(TenantAlreadyExistsError);
  });

  it('lets exactly one of 10 concurrent creates of one identifier win', async () => {
    const identifier = ident('race');
    const before = await store().count();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => create(identifier, { name: `racer ${i}` })),
    );
    const won = results.filter((r): r is PromiseFulfilledResult<Tenant> => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(9);
    for (const r of lost) expect(r.reason).toBeInstanceOf(TenantAlreadyExistsError);
    expect(await store().getByIdentifier(identifier)).toEqual(won[0].value);
    expect(await store().count()).toBe(before + 1);
  });

  it('raises TenantNotFoundError for a missing tenant everywhere', async () => {
    const missing = randomUUID();
    await expect(store().getById(missing)).rejects.toThrow(TenantNotFoundError);
    await expect(store().getById('not-a-uuid')).rejects.toThrow(TenantNotFoundError);
    await expect(store().getByIdentifier(ident('nobody'))).rejects.toThrow(TenantNotFoundError);
    await expect(store().update(missing, { name: 'x' })).rejects.toThrow(TenantNotFoundError);
    await expect(store().setStatus(missing, 'suspended')).rejects.toThrow(TenantNotFoundError);
    await expect(store().delete(missing)).rejects.toThrow(TenantNotFoundError);
  });

  it('updates only the fields given and moves updatedAt', async () => {
    const t = await create(ident(), { metadata: { a: 1 } });
    await sleep(5);
    const u = await store().update(t.id, {
      name: 'Renamed',
      tier: 'premium',
      metadata: { b: [2] },
      databaseUrl: 'mysql://x/y',
      status: undefined,
    });
    expect(u).toMatchObject({
      id: t.id,
      identifier: t.identifier,
      name: 'Renamed',
      tier: 'premium',
      status: 'active',
      metadata: { b: [2] },
      databaseUrl: 'mysql://x/y',
    });
    expect(u.createdAt.getTime()).toBe(t.createdAt.getTime());
    expect(u.updatedAt.getTime()).toBeGreaterThan(t.updatedAt.getTime());
    expect(await store().getById(t.id)).toEqual(u);
    expect((await store().update(t.id, { databaseUrl: null })).databaseUrl).toBeNull();
  });

  it('sets the status and counts and lists by status', async () => {
    const t = await create();
    const suspendedBefore = await store().count({ status: 'suspended' });
    const activeBefore = await store().count({ status: 'active' });
    const s = await store().setStatus(t.id, 'suspended');
    expect(s.status).toBe('suspended');
    expect((await store().getByIdentifier(t.identifier)).status).toBe('suspended');
    expect(await store().count({ status: 'suspended' })).toBe(suspendedBefore + 1);
    expect(await store().count({ status: 'active' })).toBe(activeBefore - 1);
    const suspended = await store().list({ status: 'suspended' });
    expect(suspended.map((x) => x.id)).toContain(t.id);
    expect(suspended.every((x) => x.status === 'suspended')).toBe(true);
  });

  it('updateMetadata merges top-level keys atomically: concurrent merges lose nothing (issue 12 item 6)', async () => {
    const t = await create(ident(), { metadata: { keep: 'me', drop: 'me', tags: ['a'] } });
    const writers = Array.from({ length: 12 }, (_, i) => store().updateMetadata!(t.id, { [`k${i}`]: i }));
    await Promise.all(writers);
    const merged = await store().updateMetadata!(t.id, { drop: null, nested: { x: [1, 2] }, tags: [] });
    const expected: Record<string, unknown> = { keep: 'me', tags: [], nested: { x: [1, 2] } };
    for (let i = 0; i < 12; i++) expected[`k${i}`] = i;
    expect(merged.metadata).toEqual(expected);
    expect((await store().getById(t.id)).metadata).toEqual(expected);
    expect(merged.updatedAt.getTime()).toBeGreaterThanOrEqual(t.updatedAt.getTime());
    await expect(store().updateMetadata!(randomUUID(), { a: 1 })).rejects.toBeInstanceOf(TenantNotFoundError);
  });

  it('a guarded setStatus writes only from the given statuses', async () => {
    const t = await create();
    const refused = store().setStatus(t.id, 'active', { from: ['provisioning'] });
    await expect(refused).rejects.toBeInstanceOf(TenantWriteRefusedError);
    await expect(refused).rejects.toMatchObject({ reason: 'status', current: 'active' });
    expect((await store().getById(t.id)).status).toBe('active');
    expect((await store().setStatus(t.id, 'suspended', { from: ['active'] })).status).toBe('suspended');
    expect((await store().getByIdentifier(t.identifier)).status).toBe('suspended');
    await expect(store().setStatus(randomUUID(), 'active', { from: ['suspended'] })).rejects.toThrow(
      TenantNotFoundError,
    );
  });

  it('with maxLive, exactly one of 8 concurrent creates takes the last place; deleted tenants do not count', async () => {
    const max = (await store().count()) - (await store().count({ status: 'deleted' })) + 1;
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        store().create({ identifier: ident('cap'), name: `c${i}`, isolationStrategy: 'schema' }, { maxLive: max }),
      ),
    );
    const won = results.filter((r): r is PromiseFulfilledResult<Tenant> => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    for (const r of lost) expect(r.reason).toMatchObject({ reason: 'limit', name: 'TenantWriteRefusedError' });
    expect((await store().count()) - (await store().count({ status: 'deleted' }))).toBe(max);
    // Deleting frees the place; restoring needs one.
    await store().setStatus(won[0].value.id, 'deleted', { maxLive: max });
    const next = await create(ident('cap'));
    const restore = store().setStatus(won[0].value.id, 'active', { from: ['deleted'], maxLive: max });
    await expect(restore).rejects.toMatchObject({ reason: 'limit' });
    expect((await store().getById(won[0].value.id)).status).toBe('deleted');
    // A tenant already counted changes status without needing a place.
    expect((await store().setStatus(next.id, 'suspended', { maxLive: max })).status).toBe('suspended');
    await store().setStatus(next.id, 'deleted');
    expect((await store().setStatus(won[0].value.id, 'active', { from: ['deleted'], maxLive: max })).status).toBe(
      'active',
    );
  });

  it('deletes a tenant and frees its identifier', async () => {
    const t = await create();
    const before = await store().count();
    await store().delete(t.id);
    await expect(store().getById(t.id)).rejects.toThrow(TenantNotFoundError);
    await expect(store().getByIdentifier(t.identifier)).rejects.toThrow(TenantNotFoundError);
    expect(await store().count()).toBe(before - 1);
    expect((await store().list()).map((x) => x.id)).not.toContain(t.id);
    expect((await create(t.identifier)).identifier).toBe(t.identifier);
  });

  it('lists by creation time then id, with offset and limit', async () => {
    const made: Tenant[] = [];
    for (let i = 0; i < 4; i++) {
      made.push(await create(ident('list')));
      await sleep(3);
    }
    const all = await store().list();
    expect(all).toHaveLength(await store().count());
    expect(isSorted(all)).toBe(true);
    const positions = made.map((t) => all.findIndex((x) => x.id === t.id));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(await store().list({ offset: 1, limit: 2 })).toEqual(all.slice(1, 3));
    expect(await store().list({ offset: all.length - 2 })).toEqual(all.slice(-2));
    expect(await store().list({ limit: 0 })).toEqual([]);
    expect(await store().list({ offset: all.length + 5, limit: 10 })).toEqual([]);
    const active = all.filter((t) => t.status === 'active');
    expect(await store().list({ status: 'active', offset: 1, limit: 2 })).toEqual(active.slice(1, 3));
    expect(await store().count({ status: 'active' })).toBe(active.length);
  });
}
