import {
  Inject,
  Logger,
  Module,
  type MiddlewareConsumer,
  type NestModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { TenancyModuleOptions, ResolvedTenancyOptions } from './config/tenancy-options.interface';
import { resolveTenancyOptions } from './config/resolve-tenancy-options';
import { ADMIN_PROVIDERS } from './admin/admin.providers';
import { TenantAdminService } from './admin/tenant-admin.service';
import { RlsSharedMigrations } from './isolation/rls-shared-migrations';
import { TenantProvisioner } from './isolation/tenant-provisioner';
import { TenantStorageInspector } from './isolation/tenant-storage.inspector';
import { TenancyDataSources } from './connection/tenancy-data-sources';
import { TenantConnectionManager } from './connection/tenant-connection.manager';
import { TenantDatabaseOptions } from './connection/tenant-database.options';
import { createTenantDataSource, createTenantEntityManager } from './connection/tenant-proxies';
import { TENANT_DATA_SOURCE, TENANT_ENTITY_MANAGER } from './connection/tenancy-tokens.util';
import { TenantActivation } from './context/tenant-activation.interface';
import { TenancyScopeMiddleware } from './context/tenancy-scope.middleware';
import { TenantContext } from './context/tenant-context';
import { FieldEncryptor } from './crypto/field-encryptor';
import { dataSourceOptionsFromUrl } from './store/data-source-options.util';
import { TenancyContextInterceptor } from './resolution/tenancy-context.interceptor';
import { RESOLUTION_PROVIDERS } from './resolution/resolution.providers';
import { OBSERVABILITY_PROVIDERS } from './observability/observability.providers';
import { TenancyHealthIndicator } from './observability/tenancy.health';
import { TenancyMetricsService } from './observability/tenancy-metrics.service';
import { createTenantStore } from './store/create-tenant-store';
import { tenantEntitySchema } from './store/tenant.entity';
import { TenantStore } from './store/tenant-store.interface';
import { TENANCY_DATA_SOURCES, TENANCY_OPTIONS } from './tenancy.constants';
import { TenancyConfigurableModule, TENANCY_MODULE_OPTIONS } from './tenancy.module-definition';

/**
 * @internal The global core: owns every singleton (options, context, store, connections,
 * guard). `TenancyModule` is the facade users import; `forFeature` never re-creates these.
 * Global through the builder's `isGlobal` extra (default true), never through `@Global()`:
 * the decorator would win over `isGlobal: false`.
 */
@Module({
  providers: [
    {
      provide: TENANCY_OPTIONS,
      useFactory: (raw: TenancyModuleOptions) => resolveTenancyOptions(raw),
      inject: [TENANCY_MODULE_OPTIONS],
    },
    TenantContext,
    {
      provide: FieldEncryptor,
      useFactory: (o: ResolvedTenancyOptions) =>
        o.enableEncryption
          ? new FieldEncryptor({
              encryptionKey: o.encryptionKey!,
              encryptionKeys: o.encryptionKeys,
              encryptionHkdfInfo: o.encryptionHkdfInfo,
            })
          : null,
      inject: [TENANCY_OPTIONS],
    },
    {
      provide: TENANCY_DATA_SOURCES,
      useFactory: (o: ResolvedTenancyOptions) =>
        TenancyDataSources.connect(
          o,
          o.store === 'database' ? [tenantEntitySchema(dataSourceOptionsFromUrl(o.databaseUrl).type)] : [],
        ),
      inject: [TENANCY_OPTIONS],
    },
    {
      provide: TenantStore,
      useFactory: (o: ResolvedTenancyOptions, sources: TenancyDataSources) => createTenantStore(o, sources),
      inject: [TENANCY_OPTIONS, TENANCY_DATA_SOURCES],
    },
    TenantDatabaseOptions,
    TenantConnectionManager,
    { provide: TenantActivation, useExisting: TenantConnectionManager },
    TenantProvisioner,
    RlsSharedMigrations,
    TenantStorageInspector,
    ...ADMIN_PROVIDERS,
    { provide: TENANT_ENTITY_MANAGER, useFactory: createTenantEntityManager, inject: [TenantConnectionManager] },
    { provide: TENANT_DATA_SOURCE, useFactory: createTenantDataSource, inject: [TenantConnectionManager] },
    ...RESOLUTION_PROVIDERS,
    ...OBSERVABILITY_PROVIDERS,
  ],
  exports: [
    TENANCY_OPTIONS,
    TenantContext,
    TenantStore,
    FieldEncryptor,
    TenantConnectionManager,
    TenantProvisioner,
    RlsSharedMigrations,
    TenantAdminService,
    TENANT_ENTITY_MANAGER,
    TENANT_DATA_SOURCE,
    TenancyMetricsService,
    TenancyHealthIndicator,
    TenancyContextInterceptor,
  ],
})
export class TenancyCoreModule
  extends TenancyConfigurableModule
  implements NestModule, OnApplicationBootstrap, OnApplicationShutdown
{
  constructor(
    @Inject(TenantStore) private readonly store: TenantStore,
    @Inject(TENANCY_OPTIONS) private readonly options: ResolvedTenancyOptions,
  ) {
    super();
  }

  /** Once per app: the guard is fail-closed on every route, say how to open the ones that need no tenant. */
  onApplicationBootstrap(): void {
    if (!this.options.mountGuard) return;
    new Logger('TenancyModule').log(guardNotice(this.options));
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(TenancyScopeMiddleware).forRoutes('*');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close?.();
  }
}

/** @internal The one start-up line about the global guard. */
export function guardNotice(options: ResolvedTenancyOptions): string {
  const source =
    options.resolutionStrategy === 'header'
      ? `the ${options.tenantHeaderName} header`
      : `the ${options.resolutionStrategy} resolver`;
  return (
    `TenancyGuard is global: every route without a tenant (from ${source}) answers 404, GET / and health included. ` +
    'Mark routes that need no tenant with @SkipTenancy() (or @TenantOptional()); mountGuard: false unmounts the guard.'
  );
}
