import { TenantNotFoundError } from '../errors/tenant-not-found.error';
import type { Tenant } from '../models/tenant.model';
import { migrationTargets, type TenantLookup } from './migration-targets';

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
  it('by default: active and suspended tenants, RLS ones marked to skip', async () => {
    const all = [t('a'), t('b', 'suspended'), t('c', 'deleted'), t('d', 'provisioning'), t('e', 'active', 'rls')];
    const targets = await migrationTargets(undefined, lookup(all));
    expect(targets.map((x) => [x.name, 'skip' in x ? x.skip : undefined])).toEqual([
      ['a', undefined],
      ['b', undefined],
      ['e', 'RLS tenants share tables, migrated once at start-up'],
    ]);
  });

  it('walks every page of the store', async () => {
    const many = Array.from({ length: 1234 }, (_, i) => t(`t-${i}`));
    const l = lookup(many);
    expect(await migrationTargets(undefined, l)).toHaveLength(1234);
    expect(l.pages).toBe(3);
  });

  it('named: each once, unknown ones reported, deleted ones marked to skip', async () => {
    const targets = await migrationTargets(['a', 'zz', 'a', 'c'], lookup([t('a'), t('c', 'deleted')]));
    expect(targets).toEqual([
      { name: 'a', tenant: t('a') },
      { name: 'zz', missing: 'Tenant not found: "zz"' },
      { name: 'c', tenant: t('c', 'deleted'), skip: 'tenant is deleted' },
    ]);
  });

  it('named by identifier and by id: one target, at its first mention', async () => {
    const targets = await migrationTargets(['id-a', 'c', 'a'], lookup([t('a'), t('c')]));
    expect(targets).toEqual([
      { name: 'a', tenant: t('a') },
      { name: 'c', tenant: t('c') },
    ]);
  });

  it('lets other lookup errors through', async () => {
    const failing: TenantLookup = { get: () => Promise.reject(new Error('db down')), list: async () => [] };
    await expect(migrationTargets(['a'], failing)).rejects.toThrow('db down');
  });
});
