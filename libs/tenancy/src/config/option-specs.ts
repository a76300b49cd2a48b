import type { TenancyModuleOptions } from './tenancy-options.interface';

/** How one option is read from its `TENANCY_*` variable. */
export type OptionKind = 'string' | 'secret' | 'boolean' | 'int' | 'list' | 'secretList' | 'secretJson';

/** Options that can come from the environment, and how each is parsed. */
export const ENV_OPTIONS = {
  databaseUrl: 'secret',
  migrationDatabaseUrl: 'secret',
  isolationStrategy: 'string',
  resolutionStrategy: 'string',
  tenantHeaderName: 'string',
  domainSuffix: 'string',
  trustProxy: 'boolean',
  trustedProxies: 'list',
  pathPrefix: 'string',
  jwtSecret: 'secret',
  jwtTenantClaim: 'string',
  jwtAlgorithms: 'list',
  jwtAudience: 'string',
  jwtIssuer: 'string',
  jwtLeewaySeconds: 'int',
  jwtRequireExp: 'boolean',
  schemaPrefix: 'string',
  databaseUrlTemplate: 'secret',
  databasePrefix: 'string',
  premiumIsolationStrategy: 'string',
  standardIsolationStrategy: 'string',
  premiumTenants: 'list',
  entities: 'list',
  migrations: 'list',
  store: 'string',
  cacheEnabled: 'boolean',
  redisUrl: 'secret',
  redisKeyPrefix: 'string',
  l1CacheMaxSize: 'int',
  l1CacheTtlSeconds: 'int',
  enableEncryption: 'boolean',
  encryptionKey: 'secret',
  encryptionKeys: 'secretList',
  encryptionHkdfInfo: 'string',
  enableRateLimiting: 'boolean',
  rateLimitMaxRequests: 'int',
  rateLimitWindowSeconds: 'int',
  maxTenants: 'int',
  ddlLockTimeoutMs: 'int',
  enableMetrics: 'boolean',
  poolSize: 'int',
  maxCachedDataSources: 'int',
  scopeMode: 'string',
  connectTimeoutMs: 'int',
  statementTimeoutMs: 'int',
  typeorm: 'secretJson',
  mountGuard: 'boolean',
} as const satisfies Partial<Record<keyof TenancyModuleOptions, OptionKind>>;

export type EnvOption = keyof typeof ENV_OPTIONS;

/** `isolationStrategy` → `TENANCY_ISOLATION_STRATEGY`. */
export function envName(option: string): string {
  return 'TENANCY_' + option.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** `TENANCY_ISOLATION_STRATEGY (option isolationStrategy)`: names the variable and the option. */
export function optionLabel(option: string): string {
  return `${envName(option)} (option ${option})`;
}

/**
 * One configuration problem, variable first so it reads as the issue promises
 * (`TENANCY_ISOLATION_STRATEGY must be one of schema, database, rls, hybrid (option isolationStrategy)`).
 * `text` must never carry the value: it may be a secret.
 */
export function optionProblem(option: string, text: string): string {
  return `${envName(option)} ${text} (option ${option})`;
}
