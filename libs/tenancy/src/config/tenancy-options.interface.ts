import type { IsolationStrategy, TenantIsolation } from '../models/tenant.model';
import type { TenantResolver } from '../resolution/tenant-resolver.interface';
import type { TenantStore } from '../store/tenant-store.interface';

/** How the tenant identifier is read from a request. */
export type ResolutionStrategy = 'header' | 'subdomain' | 'path' | 'jwt' | 'custom';
/** Where tenants are stored, or a `TenantStore` instance. */
export type StoreOption = 'database' | 'redis' | 'memory' | TenantStore;
/** `session`: scope once per connection checkout; `transaction`: SET LOCAL per unit of work (PgBouncer). */
export type ScopeMode = 'session' | 'transaction';
/** Options of `typeorm` (see `TenancyModuleOptions.typeorm`). */
export interface TypeOrmPassthrough {
  logging?: boolean | 'all' | Array<'query' | 'schema' | 'error' | 'warn' | 'info' | 'log' | 'migration'>;
  logger?: unknown;
  maxQueryExecutionTime?: number;
  ssl?: boolean | Record<string, unknown>;
  extra?: Record<string, unknown>;
  applicationName?: string;
  retryAttempts?: number;
  retryDelay?: number;
}
/** The keys `typeorm` accepts. */
export const TYPEORM_PASSTHROUGH_KEYS: ReadonlyArray<keyof TypeOrmPassthrough> = [
  'logging',
  'logger',
  'maxQueryExecutionTime',
  'ssl',
  'extra',
  'applicationName',
  'retryAttempts',
  'retryDelay',
];
/** A TypeORM entity class or schema (kept loose so any TypeORM entity target fits). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type EntityTarget = Function | string | object;

/**
 * Options of `TenancyModule`. Every option also reads from `TENANCY_<UPPER_SNAKE>`
 * (e.g. `isolationStrategy` ← `TENANCY_ISOLATION_STRATEGY`) through `loadTenancyConfig()`.
 * Defaults live in `TENANCY_DEFAULTS`.
 */
export interface TenancyModuleOptions {
  /** Master database URL: `postgresql://`, `mysql://`, `mariadb://`, `mssql://` or `sqlite:<path>`. Required. */
  databaseUrl: string;
  /**
   * RLS: URL of the owner role that creates the shared tables and applies policies and triggers
   * (PostgreSQL). Then `databaseUrl` is the runtime role: it only verifies at start-up and must own
   * no tenant table. Unset: the runtime role applies them itself.
   */
  migrationDatabaseUrl?: string;
  /** Data isolation. Default `schema`. */
  isolationStrategy?: IsolationStrategy;
  /** Where the tenant identifier comes from. Default `header`. */
  resolutionStrategy?: ResolutionStrategy;
  /** Header read by the header resolver. Default `X-Tenant-ID`. */
  tenantHeaderName?: string;
  /** Domain the subdomain resolver strips, e.g. `example.com`. Required for `subdomain`. */
  domainSuffix?: string;
  /** Read `X-Forwarded-Host`, and only from `trustedProxies`. Default `false`. */
  trustProxy?: boolean;
  /**
   * Peers whose `X-Forwarded-Host` is read with `trustProxy`: IP addresses, CIDR ranges, or
   * `loopback` / `linklocal` / `uniquelocal` (as Express's `trust proxy`). Default `loopback`.
   */
  trustedProxies?: string[];
  /** Path prefix of the path resolver. Default `/t/`. */
  pathPrefix?: string;
  /** HMAC secret (≥ 32 chars) or public key for the JWT resolver. Required for `jwt`. */
  jwtSecret?: string;
  /** Claim holding the tenant identifier. Default `tenant_id`. */
  jwtTenantClaim?: string;
  /** Accepted algorithms, pinned. Default `['HS256']`. `none` is always refused. */
  jwtAlgorithms?: string[];
  /** Required `aud` when set. */
  jwtAudience?: string;
  /** Required `iss` when set. */
  jwtIssuer?: string;
  /** Clock leeway for `exp`/`nbf`. Default 0. */
  jwtLeewaySeconds?: number;
  /** Refuse a token without `exp` (it would be valid forever). Default `true`; `false` relaxes this. */
  jwtRequireExp?: boolean;
  /** Custom resolvers tried in order (with `resolutionStrategy: 'custom'`, or before the built-in one). */
  resolvers?: TenantResolver[];
  /** Prefix of tenant schema/database/table-prefix names. Default `t_`. */
  schemaPrefix?: string;
  /** URL of a tenant database, containing `{database_name}`. Required for `database`. */
  databaseUrlTemplate?: string;
  /** Prefix of tenant database names. Default `tenant_`. */
  databasePrefix?: string;
  /** Hybrid: strategy of premium tenants. Default `database`. */
  premiumIsolationStrategy?: TenantIsolation;
  /** Hybrid: strategy of everyone else. Default `schema`. */
  standardIsolationStrategy?: TenantIsolation;
  /** Hybrid: identifiers placed on the premium strategy. */
  premiumTenants?: string[];
  /** Tenant entities (tables created in every tenant). */
  entities?: EntityTarget[];
  /** TypeORM migrations run per tenant (classes, or glob paths). */
  migrations?: (EntityTarget | string)[];
  /** Tenant store. Default `database` (a `tenants` table in `databaseUrl`). */
  store?: StoreOption;
  /** Two-level tenant cache (L1 in-process, L2 Redis when `redisUrl`). Default `true`. */
  cacheEnabled?: boolean;
  /** Redis URL for L2 cache, invalidation across instances, shared rate limits and the redis store. */
  redisUrl?: string;
  /**
   * Prefix of every Redis key and pub/sub channel (L2 cache, invalidation, redis store, rate
   * limits). Default `tenancy:<hash>:`, derived from the host, port and database of
   * `databaseUrl`: two applications with different databases never meet on one Redis.
   */
  redisKeyPrefix?: string;
  /** L1 entries. Default 1000. */
  l1CacheMaxSize?: number;
  /** L1 time to live. Default 60 s. */
  l1CacheTtlSeconds?: number;
  /** Encrypt `databaseUrl` and `_enc_*` metadata at rest. Default `false`. */
  enableEncryption?: boolean;
  /** Passphrase (≥ 32 chars) the Fernet key is derived from with HKDF-SHA256. */
  encryptionKey?: string;
  /** Older passphrases, still accepted for decryption (rotation). */
  encryptionKeys?: string[];
  /** HKDF info. Default `nestjs-tenancy-v1`; `fastapi-tenancy-v1` is byte-compatible with fastapi-tenancy. */
  encryptionHkdfInfo?: string;
  /** Per-tenant rate limit. Default `false`. */
  enableRateLimiting?: boolean;
  /** Requests allowed per window per tenant. Default 100. */
  rateLimitMaxRequests?: number;
  /** Window length. Default 60 s. */
  rateLimitWindowSeconds?: number;
  /**
   * `lock_timeout` of DDL on the shared RLS tables (their migrations, at start-up and in
   * `migrate:run`/`migrate:revert`; PostgreSQL): an `ALTER TABLE` waiting behind a long
   * transaction gives up after this long, with an error naming the tables and this option,
   * instead of queueing every tenant's readers behind it. 0 = wait forever. Default 5000.
   */
  ddlLockTimeoutMs?: number;
  /** Maximum number of tenants `register` accepts (0 = unlimited). Default 0. */
  maxTenants?: number;
  /** Prometheus metrics through prom-client. Default `false`. */
  enableMetrics?: boolean;
  /** Connections of the shared pool (and of each tenant database pool). Default 10. */
  poolSize?: number;
  /** Database strategy: tenant DataSources kept open (LRU). Default 100. */
  maxCachedDataSources?: number;
  /** How connection state is scoped. Default `session`. */
  scopeMode?: ScopeMode;
  /**
   * Longest wait for a new database connection (shared pool and every tenant database), in ms.
   * A tenant whose database does not answer gets a 503 after it. Default 10000.
   */
  connectTimeoutMs?: number;
  /**
   * PostgreSQL: `statement_timeout` of every connection the library opens for requests (shared
   * pool, tenant databases; not the pool of `migrate()`), in ms; 0 = none. Default 0.
   */
  statementTimeoutMs?: number;
  /**
   * TypeORM / driver options passed through to every DataSource the library opens (shared pool and
   * tenant databases): `logging`, `logger`, `maxQueryExecutionTime`, `ssl` (an object or `true`),
   * `extra` (driver pool options; the library's own keys win, `extra.options` is appended to),
   * `applicationName`; and start-up retries of the root connection, `retryAttempts` (default 2
   * more tries) and `retryDelay` (ms between tries, default 1000). `TENANCY_TYPEORM` takes it as JSON.
   * @example typeorm: { ssl: { ca: readFileSync('ca.pem', 'utf8') }, applicationName: 'orders-api' }
   */
  typeorm?: TypeOrmPassthrough;
  /** Mount the global TenancyGuard. Default `true`. */
  mountGuard?: boolean;
  /** Register the module globally. Default `true`. */
  isGlobal?: boolean;
}

/** Options after defaults were applied: every defaulted field is present. */
export type ResolvedTenancyOptions = TenancyModuleOptions & Required<Pick<TenancyModuleOptions, DefaultedOption>>;

export type DefaultedOption =
  | 'isolationStrategy'
  | 'resolutionStrategy'
  | 'tenantHeaderName'
  | 'trustProxy'
  | 'trustedProxies'
  | 'pathPrefix'
  | 'jwtTenantClaim'
  | 'jwtAlgorithms'
  | 'jwtLeewaySeconds'
  | 'jwtRequireExp'
  | 'schemaPrefix'
  | 'databasePrefix'
  | 'premiumIsolationStrategy'
  | 'standardIsolationStrategy'
  | 'premiumTenants'
  | 'entities'
  | 'migrations'
  | 'store'
  | 'cacheEnabled'
  | 'l1CacheMaxSize'
  | 'l1CacheTtlSeconds'
  | 'enableEncryption'
  | 'encryptionKeys'
  | 'encryptionHkdfInfo'
  | 'enableRateLimiting'
  | 'rateLimitMaxRequests'
  | 'rateLimitWindowSeconds'
  | 'maxTenants'
  | 'ddlLockTimeoutMs'
  | 'enableMetrics'
  | 'poolSize'
  | 'maxCachedDataSources'
  | 'scopeMode'
  | 'connectTimeoutMs'
  | 'statementTimeoutMs'
  | 'mountGuard'
  | 'resolvers';
