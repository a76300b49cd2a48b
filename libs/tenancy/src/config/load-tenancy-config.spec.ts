import { TenancyConfigError } from '../errors/tenancy-config.error';
import { loadTenancyConfig } from './load-tenancy-config';
import { ENV_OPTIONS, type EnvOption, envName } from './option-specs';
import { tenancyConfig } from './tenancy.config';
import { TENANCY_DEFAULTS } from './tenancy.defaults';

type Env = Record<string, string>;

const DB_URL = 'postgresql://app:app@db.internal:5432/app';
const KEY_A = 'a-long-enough-passphrase-for-hkdf-0001';
const KEY_B = 'a-long-enough-passphrase-for-hkdf-0002';
const BASE: Env = { TENANCY_DATABASE_URL: DB_URL };
const DEFAULTS = { ...TENANCY_DEFAULTS, databaseUrl: DB_URL };

/** Loads BASE + env. */
function load(env: Env): ReturnType<typeof loadTenancyConfig> {
  return loadTenancyConfig({ ...BASE, ...env });
}

function loadError(env: Env, base: Env = BASE): TenancyConfigError {
  try {
    loadTenancyConfig({ ...base, ...env });
  } catch (error) {
    expect(error).toBeInstanceOf(TenancyConfigError);
    return error as TenancyConfigError;
  }
  throw new Error(`expected a TenancyConfigError for ${Object.keys(env).join(', ')}`);
}

/**
 * One valid raw value per option and what it must parse to. Typed as a full Record so a new
 * option in ENV_OPTIONS without a row is a type error, and the first test catches it at runtime.
 */
const SAMPLES: Record<EnvOption, { raw: string; parsed: unknown; with?: Env }> = {
  databaseUrl: { raw: 'mysql://root:pw@127.0.0.1:3306/app', parsed: 'mysql://root:pw@127.0.0.1:3306/app' },
  migrationDatabaseUrl: {
    raw: 'postgresql://owner:pw@127.0.0.1:5432/app',
    parsed: 'postgresql://owner:pw@127.0.0.1:5432/app',
    with: { TENANCY_DATABASE_URL: 'postgresql://app:pw@127.0.0.1:5432/app', TENANCY_ISOLATION_STRATEGY: 'rls' },
  },
  isolationStrategy: { raw: 'rls', parsed: 'rls' },
  resolutionStrategy: { raw: 'path', parsed: 'path' },
  tenantHeaderName: { raw: 'X-Org-ID', parsed: 'X-Org-ID' },
  domainSuffix: { raw: 'example.com', parsed: 'example.com' },
  trustProxy: { raw: 'true', parsed: true },
  trustedProxies: { raw: '10.0.0.0/8, 192.168.1.7,,loopback ,', parsed: ['10.0.0.0/8', '192.168.1.7', 'loopback'] },
  pathPrefix: { raw: '/tenants/', parsed: '/tenants/' },
  jwtSecret: { raw: KEY_A, parsed: KEY_A },
  jwtTenantClaim: { raw: 'org', parsed: 'org' },
  jwtAlgorithms: { raw: 'HS256, HS384,,HS512 ,', parsed: ['HS256', 'HS384', 'HS512'] },
  jwtAudience: { raw: 'orders-api', parsed: 'orders-api' },
  jwtIssuer: { raw: 'https://issuer.example', parsed: 'https://issuer.example' },
  jwtLeewaySeconds: { raw: '30', parsed: 30 },
  jwtRequireExp: { raw: 'false', parsed: false },
  schemaPrefix: { raw: 'ten_', parsed: 'ten_' },
  databaseUrlTemplate: {
    raw: 'postgresql://app:app@db/{database_name}',
    parsed: 'postgresql://app:app@db/{database_name}',
  },
  databasePrefix: { raw: 'db_', parsed: 'db_' },
  premiumIsolationStrategy: { raw: 'rls', parsed: 'rls' },
  standardIsolationStrategy: { raw: 'rls', parsed: 'rls' },
  premiumTenants: { raw: ' acme, globex,, initech ', parsed: ['acme', 'globex', 'initech'] },
  entities: { raw: 'dist/**/*.entity.js, dist/other/*.js', parsed: ['dist/**/*.entity.js', 'dist/other/*.js'] },
  migrations: { raw: 'dist/migrations/*.js,', parsed: ['dist/migrations/*.js'] },
  store: { raw: 'memory', parsed: 'memory' },
  cacheEnabled: { raw: 'false', parsed: false },
  redisUrl: { raw: 'redis://cache:6379/2', parsed: 'redis://cache:6379/2' },
  redisKeyPrefix: { raw: 'orders:{tenancy}:', parsed: 'orders:{tenancy}:' },
  l1CacheMaxSize: { raw: '500', parsed: 500 },
  l1CacheTtlSeconds: { raw: '15', parsed: 15 },
  enableEncryption: { raw: 'yes', parsed: true, with: { TENANCY_ENCRYPTION_KEY: KEY_A } },
  encryptionKey: { raw: KEY_A, parsed: KEY_A },
  encryptionKeys: { raw: `${KEY_A} , ${KEY_B},`, parsed: [KEY_A, KEY_B] },
  encryptionHkdfInfo: { raw: 'fastapi-tenancy-v1', parsed: 'fastapi-tenancy-v1' },
  enableRateLimiting: { raw: 'on', parsed: true },
  rateLimitMaxRequests: { raw: '250', parsed: 250 },
  rateLimitWindowSeconds: { raw: '10', parsed: 10 },
  maxTenants: { raw: '0', parsed: 0 },
  ddlLockTimeoutMs: { raw: '2000', parsed: 2000 },
  enableMetrics: { raw: '1', parsed: true },
  poolSize: { raw: '25', parsed: 25 },
  maxCachedDataSources: { raw: '007', parsed: 7 },
  scopeMode: { raw: 'transaction', parsed: 'transaction' },
  connectTimeoutMs: { raw: '2500', parsed: 2500 },
  typeorm: {
    raw: '{"applicationName":"orders-api","ssl":{"rejectUnauthorized":false},"retryAttempts":1}',
    parsed: { applicationName: 'orders-api', ssl: { rejectUnauthorized: false }, retryAttempts: 1 },
  },
  statementTimeoutMs: {
    raw: '30000',
    parsed: 30000,
    with: { TENANCY_DATABASE_URL: 'postgresql://app:pw@127.0.0.1:5432/app' },
  },
  mountGuard: { raw: 'off', parsed: false },
};

const byKind = (kinds: string[]) =>
  (Object.keys(ENV_OPTIONS) as EnvOption[]).filter((o) => kinds.includes(ENV_OPTIONS[o]));
const BOOLEANS = byKind(['boolean']);
const INTS = byKind(['int']);
const LISTS = byKind(['list', 'secretList']);
const STRINGS = byKind(['string', 'secret']);
const JSONS = byKind(['secretJson']);
/** Extra variables a boolean needs when it is on. */
const WHEN_ON: Partial<Record<EnvOption, Env>> = { enableEncryption: { TENANCY_ENCRYPTION_KEY: KEY_A } };

describe('loadTenancyConfig', () => {
  it('has a sample row for every option read from the environment', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(Object.keys(ENV_OPTIONS).sort());
    expect([...BOOLEANS, ...INTS, ...LISTS, ...STRINGS, ...JSONS].sort()).toEqual(Object.keys(ENV_OPTIONS).sort());
  });

  it('returns every default when only TENANCY_DATABASE_URL is set', () => {
    expect(load({})).toEqual(DEFAULTS);
  });

  it('reads process.env by default', () => {
    const saved = { ...process.env };
    try {
      for (const name of Object.keys(process.env))
        if (name.startsWith('TENANCY_') && !name.startsWith('TENANCY_TEST_')) delete process.env[name];
      Object.assign(process.env, { TENANCY_DATABASE_URL: 'sqlite:./data/root.sqlite', TENANCY_POOL_SIZE: '3' });
      expect(loadTenancyConfig()).toMatchObject({ databaseUrl: 'sqlite:./data/root.sqlite', poolSize: 3 });
    } finally {
      process.env = saved;
    }
  });

  describe.each(Object.keys(ENV_OPTIONS) as EnvOption[])('%s', (option) => {
    const name = envName(option);
    const sample = SAMPLES[option];

    it(`is read from ${name}`, () => {
      expect(load({ ...sample.with, [name]: sample.raw })[option]).toEqual(sample.parsed);
    });

    it('ignores surrounding whitespace', () => {
      expect(load({ ...sample.with, [name]: `  ${sample.raw}\t` })[option]).toEqual(sample.parsed);
    });

    if (option !== 'databaseUrl') {
      it('treats an empty variable as unset (the default applies)', () => {
        expect(load({ [name]: '' })[option]).toEqual(TENANCY_DEFAULTS[option as keyof typeof TENANCY_DEFAULTS]);
        expect(load({ [name]: '   ' })[option]).toEqual(TENANCY_DEFAULTS[option as keyof typeof TENANCY_DEFAULTS]);
      });
    }
  });

  describe.each(BOOLEANS)('boolean %s', (option) => {
    const name = envName(option);
    it.each(['true', 'TRUE', 'True', '1', 'yes', 'YES', 'on', 'On'])('reads %p as true', (raw) => {
      expect(load({ ...WHEN_ON[option], [name]: raw })[option]).toBe(true);
    });
    it.each(['false', 'FALSE', 'False', '0', 'no', 'NO', 'off', 'Off'])('reads %p as false', (raw) => {
      expect(load({ [name]: raw })[option]).toBe(false);
    });
    it.each(['maybe', '2', 'y', 'enabled', 'truee'])('refuses %p, naming the variable and the option', (raw) => {
      const error = loadError({ [name]: raw });
      expect(error.problems).toEqual([
        `${name} must be a boolean (true/false, 1/0, yes/no, on/off) (option ${option})`,
      ]);
      expect(error.message).toContain(name);
    });
  });

  describe.each(INTS)('integer %s', (option) => {
    const name = envName(option);
    it.each([
      ['7', 7],
      ['42', 42],
      ['0012', 12],
    ])('reads %p as %p', (raw, parsed) => {
      expect(load({ [name]: raw })[option]).toBe(parsed);
    });
    it.each(['7.5', 'seven', '1e3', '0x10', '+5', '12abc', '1 000'])('refuses %p as not a whole number', (raw) => {
      expect(loadError({ [name]: raw }).problems).toEqual([`${name} must be a whole number (option ${option})`]);
    });
  });

  describe.each(LISTS)('list %s', (option) => {
    it('splits on commas, trims spaces and drops empty entries', () => {
      const { raw, parsed } = SAMPLES[option];
      expect(load({ [envName(option)]: raw })[option]).toEqual(parsed);
    });
    it('reads one entry without a comma', () => {
      const one = (SAMPLES[option].parsed as string[])[0];
      expect(load({ [envName(option)]: ` ${one} ` })[option]).toEqual([one]);
    });
    if (option !== 'jwtAlgorithms') {
      it('reads a list of only commas and spaces as empty', () => {
        expect(load({ [envName(option)]: ' , ,, ' })[option]).toEqual([]);
      });
    }
  });

  it('refuses a list of only commas for TENANCY_JWT_ALGORITHMS (no algorithm would be accepted)', () => {
    expect(loadError({ TENANCY_JWT_ALGORITHMS: ' , ,, ' }).problems).toEqual([
      'TENANCY_JWT_ALGORITHMS must list at least one algorithm (option jwtAlgorithms)',
    ]);
  });

  describe.each(JSONS)('JSON %s', (option) => {
    it('is parsed as JSON', () => {
      const { raw, parsed } = SAMPLES[option];
      expect(load({ [envName(option)]: raw })[option]).toEqual(parsed);
    });
    it('refuses what is not JSON without echoing it (it may hold certificates)', () => {
      const error = loadError({ [envName(option)]: '{ssl: secret-pem' });
      expect(error.problems).toEqual([`${envName(option)} must be a JSON object (option ${option})`]);
      expect(error.message).not.toContain('secret-pem');
    });
    it('refuses keys the library owns, naming the key', () => {
      const error = loadError({ [envName(option)]: '{"synchronize":true,"retryAttempts":-1}' });
      expect(error.problems).toEqual([
        `${envName(option)} may not set "synchronize" (the library owns it); it passes logging, logger, maxQueryExecutionTime, ssl, extra, applicationName, retryAttempts, retryDelay (option ${option})`,
        `${envName(option)} retryAttempts must be a whole number from 0 to 600000 (option ${option})`,
      ]);
    });
  });

  describe.each(STRINGS)('string %s', (option) => {
    it('is kept verbatim apart from surrounding whitespace', () => {
      const { raw, with: extra } = SAMPLES[option];
      expect(load({ ...extra, [envName(option)]: ` ${raw} ` })[option]).toBe(raw);
    });
  });

  it('reads many variables at once into one options object', () => {
    const options = load({
      TENANCY_ISOLATION_STRATEGY: 'hybrid',
      TENANCY_PREMIUM_ISOLATION_STRATEGY: 'database',
      TENANCY_STANDARD_ISOLATION_STRATEGY: 'rls',
      TENANCY_DATABASE_URL_TEMPLATE: 'postgresql://app:app@db/{database_name}',
      TENANCY_PREMIUM_TENANTS: 'acme, globex',
      TENANCY_RESOLUTION_STRATEGY: 'jwt',
      TENANCY_JWT_SECRET: KEY_A,
      TENANCY_JWT_ALGORITHMS: 'HS512',
      TENANCY_ENABLE_RATE_LIMITING: 'yes',
      TENANCY_REDIS_URL: 'rediss://cache:6380',
      TENANCY_POOL_SIZE: '4',
    });
    expect(options).toMatchObject({
      isolationStrategy: 'hybrid',
      premiumIsolationStrategy: 'database',
      standardIsolationStrategy: 'rls',
      premiumTenants: ['acme', 'globex'],
      resolutionStrategy: 'jwt',
      jwtAlgorithms: ['HS512'],
      enableRateLimiting: true,
      redisUrl: 'rediss://cache:6380',
      poolSize: 4,
      tenantHeaderName: 'X-Tenant-ID',
    });
    expect(Object.isFrozen(options)).toBe(true);
  });

  it('ignores variables outside TENANCY_* and undefined values', () => {
    expect(
      loadTenancyConfig({ ...BASE, PATH: '/usr/bin', TENANCY: 'x', TENANCYX_FOO: '1', TENANCY_POOL_SIZE: undefined }),
    ).toEqual(DEFAULTS);
  });

  it('ignores TENANCY_TEST_* (test harness variables), whatever they are called', () => {
    expect(
      load({ TENANCY_TEST_POSTGRES_URL: 'postgresql://x', TENANCY_TEST_WHATEVER: 'on', TENANCY_TEST_: '' }),
    ).toEqual(DEFAULTS);
  });
});

describe('tenancyConfig', () => {
  it("is the @nestjs/config namespace 'tenancy' reading TENANCY_* from process.env", () => {
    const saved = { ...process.env };
    try {
      for (const name of Object.keys(process.env))
        if (name.startsWith('TENANCY_') && !name.startsWith('TENANCY_TEST_')) delete process.env[name];
      Object.assign(process.env, { TENANCY_DATABASE_URL: DB_URL, TENANCY_SCHEMA_PREFIX: 'org_' });
      expect(tenancyConfig.KEY).toBe('CONFIGURATION(tenancy)');
      expect(tenancyConfig()).toEqual({ ...TENANCY_DEFAULTS, databaseUrl: DB_URL, schemaPrefix: 'org_' });
      process.env.TENANCY_SCHEMA_PREFIX = 'Bad-Prefix';
      expect(() => tenancyConfig()).toThrow(TenancyConfigError);
    } finally {
      process.env = saved;
    }
  });
});
