import { inspect } from 'node:util';
import { TenancyConfigError } from '../errors/tenancy-config.error';
import { TenancyError } from '../errors/tenancy.error';
import { InMemoryTenantStore } from '../store/in-memory-tenant.store';
import { envName } from './option-specs';
import { resolveTenancyOptions } from './resolve-tenancy-options';
import { TENANCY_DEFAULTS } from './tenancy.defaults';
import type { TenancyModuleOptions } from './tenancy-options.interface';

/** Every secret below carries this marker; no message may ever contain it. */
const MARK = 'XyZzY';
const PASSWORD = `pw-${MARK}-1`;
const JWT_SECRET = `jwt-${MARK}-`.padEnd(40, 'j');
const ENCRYPTION_KEY = `enc-${MARK}-`.padEnd(40, 'e');
const OLD_KEY = `old-${MARK}-`.padEnd(40, 'o');

/** Valid on its own: secrets present but unused until a case turns their feature on. */
const BASE: TenancyModuleOptions = {
  databaseUrl: `postgresql://app:${PASSWORD}@db.internal:5432/app`,
  jwtSecret: JWT_SECRET,
  encryptionKey: ENCRYPTION_KEY,
  encryptionKeys: [OLD_KEY],
  redisUrl: `redis://:${PASSWORD}@cache:6379`,
};

type Loose = Record<string, unknown>;
const resolve = (patch: Loose) => resolveTenancyOptions({ ...BASE, ...patch } as TenancyModuleOptions);

function problemsOf(patch: Loose): TenancyConfigError {
  try {
    resolve(patch);
  } catch (error) {
    expect(error).toBeInstanceOf(TenancyConfigError);
    return error as TenancyConfigError;
  }
  throw new Error(`expected ${JSON.stringify(patch)} to be refused`);
}

/** `TENANCY_X <text> (option x)`: the variable first, the option name last. */
const problem = (option: string, text: string) => `${envName(option)} ${text} (option ${option})`;

/** Asserts no secret (nothing carrying MARK) reaches the error, its problems, or how it prints. */
function expectNoSecret(error: TenancyConfigError): void {
  for (const text of [error.message, error.problems.join('\n'), inspect(error), JSON.stringify(error)]) {
    expect(text).not.toContain(MARK);
  }
}

const ISOLATIONS = 'schema, database, rls, hybrid';
const TIERS = 'schema, database, rls';
const ALGORITHMS = 'HS256, HS384, HS512, RS256, RS384, RS512, ES256, ES384, ES512, PS256, PS384, PS512, EdDSA';

/** [option, bad value, message text]: one row per field-level message. */
const FIELD_CASES: Array<[string, unknown, string]> = [
  // required / regex
  ['databaseUrl', undefined, 'is required (postgresql://, mysql://, mariadb://, mssql:// or sqlite:<path>)'],
  ['databaseUrl', 42, 'is required (postgresql://, mysql://, mariadb://, mssql:// or sqlite:<path>)'],
  [
    'databaseUrl',
    `http://app:${PASSWORD}@db/app`,
    'must start with postgresql://, mysql://, mariadb://, mssql:// or sqlite:',
  ],
  ['databaseUrl', 'sqlite:', 'must start with postgresql://, mysql://, mariadb://, mssql:// or sqlite:'],
  ['tenantHeaderName', 'X Tenant', 'must be a valid HTTP header name'],
  ['tenantHeaderName', '', 'must be a valid HTTP header name'],
  ['domainSuffix', 'Example.COM', 'must be a lower-case domain such as example.com'],
  ['domainSuffix', 'example..com', 'must be a lower-case domain such as example.com'],
  ['pathPrefix', 't/', 'must start and end with "/", e.g. /t/'],
  ['pathPrefix', '/t', 'must start and end with "/", e.g. /t/'],
  ['schemaPrefix', '1t_', 'must match ^[a-z][a-z0-9_]{0,15}$'],
  ['schemaPrefix', 't-', 'must match ^[a-z][a-z0-9_]{0,15}$'],
  ['schemaPrefix', 'a'.repeat(17), 'must match ^[a-z][a-z0-9_]{0,15}$'],
  ['databasePrefix', 'Tenant_', 'must match ^[a-z][a-z0-9_]{0,15}$'],
  ['redisUrl', `http://:${PASSWORD}@cache:6379`, 'must start with redis:// or rediss://'],
  // enums
  ['isolationStrategy', 'silo', `must be one of ${ISOLATIONS}`],
  ['resolutionStrategy', 'cookie', 'must be one of header, subdomain, path, jwt, custom'],
  ['premiumIsolationStrategy', 'hybrid', `must be one of ${TIERS}`],
  ['standardIsolationStrategy', 'pool', `must be one of ${TIERS}`],
  ['scopeMode', 'statement', 'must be one of session, transaction'],
  ['jwtAlgorithms', ['HS256', 'none'], `must be one of ${ALGORITHMS}`],
  ['jwtAlgorithms', ['hs256'], `must be one of ${ALGORITHMS}`],
  ['store', 'postgres', 'must be one of database, redis, memory (or a TenantStore instance)'],
  ['store', 42, 'must be one of database, redis, memory (or a TenantStore instance)'],
  // integers: below, above, not whole
  ['jwtLeewaySeconds', -1, 'must be at least 0'],
  ['jwtLeewaySeconds', 3601, 'must be at most 3600'],
  ['jwtLeewaySeconds', 1.5, 'must be a whole number'],
  ['l1CacheMaxSize', 0, 'must be at least 1'],
  ['l1CacheMaxSize', 1_000_000_001, 'must be at most 1000000000'],
  ['l1CacheMaxSize', '100', 'must be a whole number'],
  ['l1CacheTtlSeconds', 0, 'must be at least 1'],
  ['l1CacheTtlSeconds', 86401, 'must be at most 86400'],
  ['l1CacheTtlSeconds', 0.5, 'must be a whole number'],
  ['rateLimitMaxRequests', 0, 'must be at least 1'],
  ['rateLimitMaxRequests', 1_000_000_001, 'must be at most 1000000000'],
  ['rateLimitMaxRequests', Number.NaN, 'must be a whole number'],
  ['rateLimitWindowSeconds', 0, 'must be at least 1'],
  ['rateLimitWindowSeconds', 86401, 'must be at most 86400'],
  ['rateLimitWindowSeconds', 2.5, 'must be a whole number'],
  ['maxTenants', -1, 'must be at least 0'],
  ['ddlLockTimeoutMs', -5, 'must be at least 0'],
  ['ddlLockTimeoutMs', 1.5, 'must be a whole number'],
  ['maxTenants', 1_000_000_001, 'must be at most 1000000000'],
  ['maxTenants', Number.POSITIVE_INFINITY, 'must be a whole number'],
  ['poolSize', 0, 'must be at least 1'],
  ['poolSize', 1001, 'must be at most 1000'],
  ['poolSize', 'ten', 'must be a whole number'],
  ['maxCachedDataSources', 0, 'must be at least 1'],
  ['maxCachedDataSources', 100_001, 'must be at most 100000'],
  ['maxCachedDataSources', 9.99, 'must be a whole number'],
  // booleans
  ['trustProxy', 'yes', 'must be a boolean'],
  ['cacheEnabled', 1, 'must be a boolean'],
  ['enableEncryption', 'true', 'must be a boolean'],
  ['enableRateLimiting', 'on', 'must be a boolean'],
  ['enableMetrics', 0, 'must be a boolean'],
  ['mountGuard', null, 'must be a boolean'],
  ['jwtRequireExp', 'no', 'must be a boolean'],
  ['trustedProxies', '127.0.0.1', 'must be a list'],
  ['trustedProxies', ['10.0.0.0/33'], 'must list IP addresses, CIDR ranges, loopback, linklocal or uniquelocal'],
  ['trustedProxies', ['proxy.internal'], 'must list IP addresses, CIDR ranges, loopback, linklocal or uniquelocal'],
  // strings and non-empty strings
  ['jwtSecret', 12345, 'must be a string'],
  ['jwtAudience', ['a'], 'must be a string'],
  ['jwtIssuer', 1, 'must be a string'],
  ['databaseUrlTemplate', {}, 'must be a string'],
  ['encryptionKey', 7, 'must be a string'],
  ['jwtTenantClaim', '', 'must not be empty'],
  // An empty audience or issuer would switch the check off in jsonwebtoken: refused.
  ['jwtAudience', '', 'must not be empty'],
  ['jwtIssuer', '', 'must not be empty'],
  ['encryptionHkdfInfo', '', 'must not be empty'],
  // lists
  ['jwtAlgorithms', 'HS256', 'must be a list'],
  ['jwtAlgorithms', [], 'must list at least one algorithm'],
  ['premiumTenants', 'acme', 'must be a list'],
  ['entities', {}, 'must be a list'],
  ['migrations', 'dist/migrations/*.js', 'must be a list'],
  ['encryptionKeys', OLD_KEY, 'must be a list'],
  ['encryptionKeys', [OLD_KEY, `short-${MARK}`], 'entries must be at least 32 characters'],
  ['resolvers', { resolve: () => 'acme' }, 'must be a list'],
];

/** Values right at the edge of each field rule, all accepted. */
const ACCEPTED: Array<[string, Loose]> = [
  ['a TenantStore instance as store', { store: new InMemoryTenantStore() }],
  ['a mariadb:// URL', { databaseUrl: 'mariadb://u:p@h/db' }],
  ['an mssql:// URL', { databaseUrl: 'mssql://sa:p@h:1433/db' }],
  ['the postgres:// alias', { databaseUrl: 'postgres://u@h/db' }],
  [
    'the bounds themselves',
    {
      jwtLeewaySeconds: 3600,
      l1CacheTtlSeconds: 86400,
      poolSize: 1000,
      maxCachedDataSources: 100000,
      maxTenants: 0,
      rateLimitWindowSeconds: 1,
    },
  ],
  ['a leading-dot domain suffix', { domainSuffix: '.example.com' }],
  ['a nested path prefix', { pathPrefix: '/api/t/' }],
];

describe('resolveTenancyOptions', () => {
  describe('defaults', () => {
    it('fills every default from TENANCY_DEFAULTS', () => {
      expect(resolveTenancyOptions({ databaseUrl: 'sqlite::memory:' })).toEqual({
        ...TENANCY_DEFAULTS,
        databaseUrl: 'sqlite::memory:',
      });
    });

    it('matches the defaults DESIGN.md states', () => {
      expect(TENANCY_DEFAULTS).toMatchObject({
        isolationStrategy: 'schema',
        resolutionStrategy: 'header',
        tenantHeaderName: 'X-Tenant-ID',
        trustProxy: false,
        pathPrefix: '/t/',
        jwtTenantClaim: 'tenant_id',
        jwtAlgorithms: ['HS256'],
        schemaPrefix: 't_',
        l1CacheMaxSize: 1000,
        l1CacheTtlSeconds: 60,
        encryptionHkdfInfo: 'nestjs-tenancy-v1',
        scopeMode: 'session',
        store: 'database',
      });
    });

    it('lets an explicit undefined fall back to the default, but keeps false and 0', () => {
      const options = resolveTenancyOptions({
        databaseUrl: 'sqlite::memory:',
        poolSize: undefined,
        cacheEnabled: false,
        maxTenants: 0,
      });
      expect(options).toMatchObject({ poolSize: 10, cacheEnabled: false, maxTenants: 0 });
    });

    it('returns a frozen object and leaves the input alone', () => {
      const input = { databaseUrl: 'sqlite::memory:', poolSize: 3 };
      const options = resolveTenancyOptions(input);
      expect(Object.isFrozen(options)).toBe(true);
      expect(input).toEqual({ databaseUrl: 'sqlite::memory:', poolSize: 3 });
    });

    it('accepts its own output again (forRootAsync(tenancyConfig.asProvider()) resolves twice)', () => {
      const once = resolve({ isolationStrategy: 'rls', poolSize: 4 });
      expect(resolveTenancyOptions(once)).toEqual(once);
    });
  });

  describe.each(FIELD_CASES)('%s = %p', (option, value, text) => {
    it(`is refused with "${text}"`, () => {
      const error = problemsOf({ [option]: value });
      expect(error.problems).toContain(problem(option, text));
      expect(error.message).toContain(problem(option, text));
    });

    it('without the value in any message (it may be a secret)', () => {
      expectNoSecret(problemsOf({ [option]: value }));
    });
  });

  it.each(ACCEPTED)('accepts %s', (_case, patch) => {
    expect(() => resolve(patch)).not.toThrow();
  });

  it.each([
    ['silo', 'TENANCY_ISOLATION_STRATEGY must be one of schema, database, rls, hybrid'],
    ['HYBRID', 'TENANCY_ISOLATION_STRATEGY must be one of schema, database, rls, hybrid'],
  ])('contains the exact message of the issue for isolationStrategy = %p', (value, message) => {
    expect(() => resolve({ isolationStrategy: value })).toThrow(message);
  });

  it('reports only the first failed rule of one field', () => {
    expect(problemsOf({ poolSize: 'ten' }).problems).toEqual([problem('poolSize', 'must be a whole number')]);
  });

  it('throws a TenancyConfigError, which is a TenancyError', () => {
    const error = problemsOf({ isolationStrategy: 'silo' });
    expect(error).toBeInstanceOf(TenancyError);
    expect(error.name).toBe('TenancyConfigError');
  });
});
