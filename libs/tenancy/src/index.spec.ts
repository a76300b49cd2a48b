import * as api from './index';
// Types vanish at runtime: importing them here makes `tsc` fail if one is removed from the index.
import type {
  CreateTenantInput,
  DeleteTenantOptions,
  IsolationStrategy,
  KeyRotationReport,
  ListTenantsQuery,
  MigrationProgress,
  MigrationReport,
  MigrationRunOptions,
  PrometheusExposition,
  RegisterTenantInput,
  ResolutionStrategy,
  ResolvedTenancyOptions,
  ScopeMode,
  StoreOption,
  TenancyAdminMetrics,
  TenancyHealthOptions,
  TenancyMetrics,
  TenancyModuleAsyncOptions,
  TenancyModuleOptions,
  TenancyRequest,
  Tenant,
  TenantIsolation,
  TenantMigrationOutcome,
  TenantMigrationResult,
  TenantMigrationStatus,
  TenantPatch,
  TenantStatus,
} from './index';

/** DESIGN.md "Public API", every runtime name, in the order it lists them. */
const DESIGN_PUBLIC_API = [
  // Module
  'TenancyModule',
  'tenancyConfig',
  'loadTenancyConfig',
  // Injectables
  'TenantContext',
  'TenantConnectionManager',
  'TenantAdminService',
  'TenantStore',
  'TypeOrmTenantStore',
  'RedisTenantStore',
  'InMemoryTenantStore',
  'TenantResolver',
  'TenantMembership',
  'HeaderResolver',
  'SubdomainResolver',
  'PathResolver',
  'JwtClaimResolver',
  'ChainResolver',
  // Decorators
  'CurrentTenant',
  'InjectTenantRepository',
  'InjectTenantEntityManager',
  'InjectTenantDataSource',
  'SkipTenancy',
  'TenantOptional',
  // Model
  'TenantScopedEntity',
  // Errors
  'TenancyError',
  'TenancyConfigError',
  'TenantContextMissingError',
  'TenantNotFoundError',
  'TenantAlreadyExistsError',
  'TenantProvisioningError',
  'TenantDecryptionError',
];

/** Exported beyond DESIGN.md's list, on purpose: each needs a reason to be public. */
const EXTRAS = [
  'TENANCY_DEFAULTS', // the defaults, for docs and for apps that derive their own options
  'TenancyGuard', // so apps with `mountGuard: false` can mount or subclass it themselves
  'TenancyContextInterceptor', // RPC/WebSocket apps mount it (not global by default: it costs every HTTP request)
  'getTenantRepositoryToken', // to override a tenant repository in Test.createTestingModule
  'TenancyMetricsService', // issue 6: the metrics snapshot and the Prometheus exposition, for the app's /metrics
  'TenancyHealthIndicator', // issue 6: the @nestjs/terminus indicator, for the app's /health
  'TenantLogger', // issue 6: log lines carrying the tenant identifier (NestFactory.create(..., { logger }))
  'TenantWriteRefusedError', // issue 19: a custom TenantStore refuses a guarded write (maxTenants, status) with it
  'createTenantMigrationDataSource', // issue 12: the DataSource for TypeORM's migration:generate (tenant-neutral SQL)
];

describe('the public surface (index.ts)', () => {
  it('exports exactly the DESIGN.md names plus the listed extras, nothing more, nothing less', () => {
    expect(Object.keys(api).sort()).toEqual([...DESIGN_PUBLIC_API, ...EXTRAS].sort());
  });

  it('exports no duplicates in the pinned lists', () => {
    const all = [...DESIGN_PUBLIC_API, ...EXTRAS];
    expect(new Set(all).size).toBe(all.length);
  });

  it('exports no value that is undefined (a circular import would show up here)', () => {
    for (const [name, value] of Object.entries(api)) expect([name, value]).not.toEqual([name, undefined]);
  });

  it('gives every contract an injection token of the same name', () => {
    expect(typeof api.TenantStore).toBe('symbol');
    expect(typeof api.TenantResolver).toBe('symbol');
    expect(typeof api.TenantMembership).toBe('symbol');
  });

  it('exports every error under TenancyError', () => {
    const errors = DESIGN_PUBLIC_API.filter((n) => n.endsWith('Error') && n !== 'TenancyError');
    for (const name of errors) {
      const ErrorClass = api[name as keyof typeof api] as unknown as abstract new (...args: never[]) => unknown;
      expect(ErrorClass.prototype).toBeInstanceOf(api.TenancyError);
    }
  });

  it('keeps the public types importable', () => {
    // A compile-time check: this function is never called.
    const typesCompile = (
      _: [
        CreateTenantInput,
        DeleteTenantOptions,
        IsolationStrategy,
        KeyRotationReport,
        ListTenantsQuery,
        MigrationProgress,
        MigrationReport,
        MigrationRunOptions,
        PrometheusExposition,
        RegisterTenantInput,
        ResolutionStrategy,
        ResolvedTenancyOptions,
        ScopeMode,
        StoreOption,
        TenancyAdminMetrics,
        TenancyHealthOptions,
        TenancyMetrics,
        TenancyModuleAsyncOptions,
        TenancyModuleOptions,
        TenancyRequest,
        Tenant,
        TenantIsolation,
        TenantMigrationOutcome,
        TenantMigrationResult,
        TenantMigrationStatus,
        TenantPatch,
        TenantStatus,
      ],
    ) => _;
    expect(typeof typesCompile).toBe('function');
  });
});
