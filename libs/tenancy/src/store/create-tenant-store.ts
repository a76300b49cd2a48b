import type { DataSource } from 'typeorm';
import { redisKeyPrefixOf } from '../config/redis-key-prefix.util';
import type { ResolvedTenancyOptions } from '../config/tenancy-options.interface';
import { CachedTenantStore } from './cached-tenant.store';
import { InMemoryTenantStore } from './in-memory-tenant.store';
import { RedisTenantStore } from './redis-tenant.store';
import type { TenantStore } from './tenant-store.interface';
import { TypeOrmTenantStore } from './typeorm-tenant.store';

/**
 * @internal What the `database` store needs of the module's data sources (`TenancyDataSources`):
 * the root pool, and a hook that runs once the start-up refusal checks have passed.
 */
export interface StoreDataSources {
  readonly root: DataSource;
  afterStartupChecks(create: () => Promise<void>): void;
}

/**
 * @internal The store the module uses: `store` (a name or an instance), wrapped in the two-level
 * cache when `cacheEnabled`. The `database` store lives in the root database (`databaseUrl`).
 */
export async function createTenantStore(
  options: ResolvedTenancyOptions,
  sources: StoreDataSources,
): Promise<TenantStore> {
  const store = await baseStore(options, sources);
  if (!options.cacheEnabled) return store;
  // Close what was created here (a redis store owns its client); a user's instance too, as
  // TenantStore.close promises ("called on shutdown"). The root DataSource's owner closes it.
  const cached = new CachedTenantStore(store, { ...CachedTenantStore.optionsFrom(options), closeInner: true });
  await cached.connect();
  return cached;
}

async function baseStore(options: ResolvedTenancyOptions, sources: StoreDataSources): Promise<TenantStore> {
  if (typeof options.store === 'object') return options.store;
  if (options.store === 'memory') return new InMemoryTenantStore();
  if (options.store === 'redis')
    return new RedisTenantStore(options.redisUrl!, { namespace: redisKeyPrefixOf(options) });
  const store = new TypeOrmTenantStore(sources.root);
  // Not yet: a start-up that the later checks refuse must leave no tenants table behind.
  sources.afterStartupChecks(() => store.ensureSchema());
  return store;
}
