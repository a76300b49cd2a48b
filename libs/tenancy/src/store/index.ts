export * from './tenant-store.interface';
export { TenantWriteRefusedError } from './tenant-write-refused.error';
export { InMemoryTenantStore } from './in-memory-tenant.store';
export { TypeOrmTenantStore, type TypeOrmTenantStoreOptions } from './typeorm-tenant.store';
export { RedisTenantStore, type RedisTenantStoreOptions } from './redis-tenant.store';
export { CachedTenantStore } from './cached-tenant.store';
export {
  NEGATIVE_CACHE_TTL_MS,
  type CachedTenantStoreOptions,
  type TenantCacheStats,
} from './cached-tenant-store.options';
export { dataSourceOptionsFromUrl } from './data-source-options.util';
export { tenantEntitySchema, type TenantTableDialect } from './tenant.entity';
