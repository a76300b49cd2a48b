import { TenantNotFoundError } from '../errors/tenant-not-found.error';
import type { Tenant } from '../models/tenant.model';
import { SHARED_RLS_TARGET, migrationTargets, type TenantLookup } from './migration-targets';

const t = (
  identifier: string,
  status: Tenant['status'] = 'active',
  isolationStrategy: Tenant['isolationStrategy'] = 'schema',
) => ({ id: `id-${identifier}`, identifier, status, isolationStrategy }) as Tenant;

function lookup(tenants: Tenant[]): TenantLookup & { pages: number } {
  const l = {
    pages: 0,
    async get(name: string) {
      const found = tenants.find((x) => x.identifier === name || x.id === name);
      if (!found) throw new TenantNotFoundError(name);
      return found;
    },
    async list({ offset, limit }: { offset: number; limit: number }) {
      l.pages++;
      return tenants.slice(offset, offset + limit);
    },
  };
  return l;
}

describe('migrationTargets', () => {
  it('by default: active and suspended tenants; RLS ones are ONE shared target, first (issue 12 item 8)', async () => {
    const rls = t('e', 'active', 'rls');
    const parked = t('f', 'suspended', 'rls');
    const all = [
      t('a'),
      t('b', 'suspended'),
      t('c', 'deleted'),
      t('d', 'provisioning'),
      rls,
      parked,
      t('g', 'deleted', 'rls'),
    ];
    const targets = await migrationTargets(undefined, lookup(all), { sharedRls: true });
    expect(targets).toEqual([
      { name: SHARED_RLS_TARGET, shared: [rls, parked] },
      { name: 'a', tenant: t('a') },
      { name: 'b', tenant: t('b', 'suspended') },
    ]);
  });

  it('RLS in use with no RLS tenant yet: the shared tables are still a target', async () => {
    const targets = await migrationTargets(undefined, lookup([t('a')]), { sharedRls: true });
    expect(targets).toEqual([
      { name: SHARED_RLS_TARGET, shared: [] },
      { name: 'a', tenant: t('a') },
    ]);
  });

  it('named: an RLS tenant brings the shared target (covering every RLS tenant) once, where first named', async () => {
    const all = [t('a'), t('r1', 'active', 'rls'), t('r2', 'active', 'rls'), t('r3', 'deleted', 'rls')];
    const targets = await migrationTargets(['a', 'r2', 'r1', 'r3'], lookup(all), { sharedRls: true });
    expect(targets).toEqual([
      { name: 'a', tenant: t('a') },
      { name: SHARED_RLS_TARGET, shared: [all[1], all[2]] },
      { name: 'r3', tenant: all[3], skip: 'tenant is deleted' },
    ]);
    const schemaOnly = await migrationTargets(['a'], lookup(all), { sharedRls: true });
    expect(schemaOnly).toEqual([{ name: 'a', tenant: t('a') }]);
  });

  it('RLS tenants where RLS is no longer configured are skipped, saying why', async () => {
    const targets = await migrationTargets(undefined, lookup([t('e', 'active', 'rls')]), { sharedRls: false });
    expect(targets).toEqual([
      { name: 'e', tenant: t('e', 'active', 'rls'), skip: 'RLS is not configured here (isolationStrategy)' },
    ]);
  });

  it('walks every page of the store', async () => {
    const many = Array.from({ length: 1234 }, (_, i) => t(`t-${i}`));
    const l = lookup(many);
    expect(await migrationTargets(undefined, l, { sharedRls: false })).toHaveLength(1234);
    expect(l.pages).toBe(3);
  });

  it('named: each once, unknown ones reported, deleted ones marked to skip', async () => {
    const targets = await migrationTargets(['a', 'zz', 'a', 'c'], lookup([t('a'), t('c', 'deleted')]), {
      sharedRls: true,
    });
    expect(targets).toEqual([
      { name: 'a', tenant: t('a') },
      { name: 'zz', missing: 'Tenant not found: "zz"' },
      { name: 'c', tenant: t('c', 'deleted'), skip: 'tenant is deleted' },
    ]);
  });

  it('named by identifier and by id: one target, at its first mention', async () => {
    const targets = await migrationTargets(['id-a', 'c', 'a'], lookup([t('a'), t('c')]), { sharedRls: true });
    expect(targets).toEqual([
      { name: 'a', tenant: t('a') },
      { name: 'c', tenant: t('c') },
    ]);
  });

  it('lets other lookup errors through', async () => {
    const failing: TenantLookup = { get: () => Promise.reject(new Error('db down')), list: async () => [] };
    await expect(migrationTargets(['a'], failing, { sharedRls: true })).rejects.toThrow('db down');
  });
});
