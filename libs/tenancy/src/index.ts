// The whole public surface of nestjs-tenancy (DESIGN.md "Public API"). Nothing else is public;
// index.spec.ts pins this list.
export { TenancyModule } from './tenancy.module';
export type { TenancyModuleAsyncOptions } from './tenancy.module-definition';
export { tenancyConfig } from './config/tenancy.config';
export { loadTenancyConfig } from './config/load-tenancy-config';
export { TENANCY_DEFAULTS } from './config/tenancy.defaults';
export type {
  TenancyModuleOptions,
  ResolvedTenancyOptions,
  ResolutionStrategy,
  ScopeMode,
  StoreOption,
} from './config/tenancy-options.interface';

export { TenantContext } from './context/tenant-context';
export { TenantConnectionManager } from './connection/tenant-connection.manager';
export { TenantAdminService } from './admin/tenant-admin.service';
export { createTenantMigrationDataSource } from './admin/tenant-migration.data-source';
export type { TenantMigrationDataSourceOptions } from './admin/tenant-migration.data-source';
export type {
  RegisterTenantInput,
  DeleteTenantOptions,
  MigrationRunOptions,
  MigrationReport,
  MigrationProgress,
  TenantMigrationResult,
  TenantMigrationOutcome,
  TenantMigrationStatus,
  KeyRotationReport,
  TenancyAdminMetrics,
} from './admin/admin.types';

export { TenancyMetricsService } from './observability/tenancy-metrics.service';
export type { PrometheusExposition } from './observability/tenancy-metrics.service';
export type { TenancyMetrics } from './observability/tenancy-metrics.types';
export { TenancyHealthIndicator } from './observability/tenancy.health';
export type { TenancyHealthOptions } from './observability/tenancy.health';
export { TenantLogger } from './observability/tenant.logger';

export { TenantStore } from './store/tenant-store.interface';
export type {
  CreateTenantInput,
  TenantPatch,
  ListTenantsQuery,
  TenantWriteGuard,
} from './store/tenant-store.interface';
export { TenantWriteRefusedError } from './store/tenant-write-refused.error';
export { TypeOrmTenantStore } from './store/typeorm-tenant.store';
export { RedisTenantStore } from './store/redis-tenant.store';
export { InMemoryTenantStore } from './store/in-memory-tenant.store';

export { TenantResolver } from './resolution/tenant-resolver.interface';
export { TenantMembership } from './resolution/tenant-membership.interface';
export type { TenancyRequest } from './resolution/tenant-resolver.interface';
export { HeaderResolver } from './resolution/resolvers/header.resolver';
export { SubdomainResolver } from './resolution/resolvers/subdomain.resolver';
export { PathResolver } from './resolution/resolvers/path.resolver';
export { JwtClaimResolver } from './resolution/resolvers/jwt-claim.resolver';
export { ChainResolver } from './resolution/resolvers/chain.resolver';
export { TenancyGuard } from './resolution/tenancy.guard';
export { TenancyContextInterceptor } from './resolution/tenancy-context.interceptor';

export { CurrentTenant, SkipTenancy, TenantOptional } from './resolution/decorators';
export {
  InjectTenantRepository,
  InjectTenantEntityManager,
  InjectTenantDataSource,
} from './connection/tenancy.decorators';
export { getTenantRepositoryToken } from './connection/tenancy-tokens.util';

export type { Tenant, TenantStatus, IsolationStrategy, TenantIsolation } from './models/tenant.model';
export { TenantScopedEntity } from './isolation/tenant-scoped.entity';

export {
  TenancyError,
  TenancyConfigError,
  TenantContextMissingError,
  TenantNotFoundError,
  TenantAlreadyExistsError,
  TenantProvisioningError,
  TenantDecryptionError,
} from './errors';
