import type { ResolvedTenancyOptions } from '../config/tenancy-options.interface';
import { TenancyConfigError } from '../errors/tenancy-config.error';
import { CachedTenantStore } from './cached-tenant.store';
import { InMemoryTenantStore } from './in-memory-tenant.store';
import { RedisTenantStore } from './redis-tenant.store';
import type { TenantStore } from './tenant-store.interface';
import { TypeOrmTenantStore } from './typeorm-tenant.store';

/** Connections of the store's own DataSource: lookups are rare behind the cache. */
const STORE_POOL_SIZE = 5;

/**
 * The `TenantStore` the module provides, from resolved options: `store` picks the backend
 * (`database`: a `tenants` table in `databaseUrl`, created when missing, on a small DataSource
 * of its own; `redis`: `redisUrl`; `memory`; or your instance), wrapped in a connected
 * `CachedTenantStore` when `cacheEnabled`. `close()` on the result releases everything,
 * the wrapped store included.
 */
export async function createTenantStore(options: ResolvedTenancyOptions): Promise<TenantStore> {
  const inner = await openStore(options);
  if (!options.cacheEnabled) return inner;
  const cached = new CachedTenantStore(inner, { ...CachedTenantStore.optionsFrom(options), closeInner: true });
  await cached.connect();
  return cached;
}

async function openStore(options: ResolvedTenancyOptions): Promise<TenantStore> {
  const { store } = options;
  if (typeof store === 'object') return store;
  if (store === 'memory') return new InMemoryTenantStore();
  if (store === 'redis') {
    if (!options.redisUrl) {
      throw new TenancyConfigError('store "redis" needs redisUrl (TENANCY_REDIS_URL): set it, or use store "database"');
    }
    return new RedisTenantStore(options.redisUrl);
  }
  return TypeOrmTenantStore.open(options.databaseUrl, { poolSize: Math.min(options.poolSize, STORE_POOL_SIZE) });
}
