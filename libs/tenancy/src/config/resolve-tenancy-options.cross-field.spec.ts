import { inspect } from 'node:util';
import { TenancyConfigError } from '../errors/tenancy-config.error';
import { envName } from './option-specs';
import { resolveTenancyOptions } from './resolve-tenancy-options';
import type { TenancyModuleOptions } from './tenancy-options.interface';

/** Every secret below carries this marker; no message may ever contain it. */
const MARK = 'XyZzY';
const PASSWORD = `pw-${MARK}-1`;
const JWT_SECRET = `jwt-${MARK}-`.padEnd(40, 'j');
const ENCRYPTION_KEY = `enc-${MARK}-`.padEnd(40, 'e');
const OLD_KEY = `old-${MARK}-`.padEnd(40, 'o');
const TEMPLATE = `postgresql://app:${PASSWORD}@db.internal/{database_name}`;

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

const header = { resolve: () => 'acme' };
/** [case, patch, every problem expected]: one row per cross-field rule (and its edges). */
const OWNER_URL = `postgresql://owner:${PASSWORD}@db.internal:5432/app`;
const CROSS_CASES: Array<[string, Loose, string[]]> = [
  [
    'migrationDatabaseUrl without RLS',
    { isolationStrategy: 'schema', migrationDatabaseUrl: OWNER_URL },
    [
      problem(
        'migrationDatabaseUrl',
        'applies to row-level security only: use rls (or a hybrid tier on rls), or unset it',
      ),
    ],
  ],
  [
    'migrationDatabaseUrl with a MySQL databaseUrl',
    { isolationStrategy: 'rls', databaseUrl: `mysql://root:${PASSWORD}@db/app`, migrationDatabaseUrl: OWNER_URL },
    [problem('migrationDatabaseUrl', 'needs a PostgreSQL TENANCY_DATABASE_URL')],
  ],
  [
    'migrationDatabaseUrl that is not PostgreSQL',
    { isolationStrategy: 'rls', migrationDatabaseUrl: `mysql://root:${PASSWORD}@db/app` },
    [problem('migrationDatabaseUrl', 'must start with postgresql://')],
  ],
  [
    'jwt without a secret',
    { resolutionStrategy: 'jwt', jwtSecret: undefined },
    [problem('jwtSecret', 'is required when TENANCY_RESOLUTION_STRATEGY is jwt')],
  ],
  [
    'jwt with an empty secret',
    { resolutionStrategy: 'jwt', jwtSecret: '' },
    [problem('jwtSecret', 'is required when TENANCY_RESOLUTION_STRATEGY is jwt')],
  ],
  [
    'jwt with a 31-character secret',
    { resolutionStrategy: 'jwt', jwtSecret: `${MARK}`.padEnd(31, 's') },
    [problem('jwtSecret', 'must be at least 32 characters')],
  ],
  [
    'jwt with HS and RS algorithms mixed',
    { resolutionStrategy: 'jwt', jwtAlgorithms: ['HS256', 'RS256'] },
    [problem('jwtAlgorithms', 'must not mix HMAC (HS*) and public-key algorithms')],
  ],
  [
    'subdomain without domainSuffix',
    { resolutionStrategy: 'subdomain' },
    [problem('domainSuffix', 'is required when TENANCY_RESOLUTION_STRATEGY is subdomain')],
  ],
  [
    'custom without resolvers',
    { resolutionStrategy: 'custom' },
    [problem('resolvers', 'must list at least one resolver when TENANCY_RESOLUTION_STRATEGY is custom')],
  ],
  [
    'custom with an empty resolvers list',
    { resolutionStrategy: 'custom', resolvers: [] },
    [problem('resolvers', 'must list at least one resolver when TENANCY_RESOLUTION_STRATEGY is custom')],
  ],
  [
    'database without a template',
    { isolationStrategy: 'database' },
    [problem('databaseUrlTemplate', 'must contain {database_name} when tenants get their own database')],
  ],
  [
    'database with a template lacking {database_name}',
    { isolationStrategy: 'database', databaseUrlTemplate: `postgresql://app:${PASSWORD}@db/{database}` },
    [problem('databaseUrlTemplate', 'must contain {database_name} when tenants get their own database')],
  ],
  [
    'hybrid with premium on database and no template',
    { isolationStrategy: 'hybrid' },
    [problem('databaseUrlTemplate', 'must contain {database_name} when tenants get their own database')],
  ],
  [
    'hybrid with standard on database and no template',
    { isolationStrategy: 'hybrid', premiumIsolationStrategy: 'rls', standardIsolationStrategy: 'database' },
    [problem('databaseUrlTemplate', 'must contain {database_name} when tenants get their own database')],
  ],
  [
    'hybrid with the same strategy twice',
    { isolationStrategy: 'hybrid', premiumIsolationStrategy: 'schema', standardIsolationStrategy: 'schema' },
    [
      problem(
        'premiumIsolationStrategy',
        'must differ from TENANCY_STANDARD_ISOLATION_STRATEGY under hybrid isolation',
      ),
    ],
  ],
  [
    'hybrid with database twice (template present)',
    {
      isolationStrategy: 'hybrid',
      premiumIsolationStrategy: 'database',
      standardIsolationStrategy: 'database',
      databaseUrlTemplate: TEMPLATE,
    },
    [
      problem(
        'premiumIsolationStrategy',
        'must differ from TENANCY_STANDARD_ISOLATION_STRATEGY under hybrid isolation',
      ),
    ],
  ],
  [
    'encryption without a key',
    { enableEncryption: true, encryptionKey: undefined },
    [problem('encryptionKey', 'must be at least 32 characters when TENANCY_ENABLE_ENCRYPTION is on')],
  ],
  [
    'encryption with a 31-character key',
    { enableEncryption: true, encryptionKey: `${MARK}`.padEnd(31, 'k') },
    [problem('encryptionKey', 'must be at least 32 characters when TENANCY_ENABLE_ENCRYPTION is on')],
  ],
  [
    'redis store without redisUrl',
    { store: 'redis', redisUrl: undefined },
    [problem('redisUrl', 'is required when TENANCY_STORE is redis')],
  ],
  [
    'a wrong list type does not crash the cross-field rules',
    { resolutionStrategy: 'jwt', jwtAlgorithms: 'HS256' },
    [problem('jwtAlgorithms', 'must be a list')],
  ],
  [
    'null lists do not crash the cross-field rules',
    { resolutionStrategy: 'custom', resolvers: null, jwtAlgorithms: null },
    [
      problem('jwtAlgorithms', 'must be a list'),
      problem('resolvers', 'must be a list'),
      problem('resolvers', 'must list at least one resolver when TENANCY_RESOLUTION_STRATEGY is custom'),
    ],
  ],
];

/** Configurations right at the edge of each rule, all accepted. */
const ACCEPTED: Array<[string, Loose]> = [
  ['jwt with a 32-character secret', { resolutionStrategy: 'jwt', jwtSecret: 's'.repeat(32) }],
  [
    'jwt with a short public key under RS256 only',
    { resolutionStrategy: 'jwt', jwtSecret: 'pem', jwtAlgorithms: ['RS256', 'ES256'] },
  ],
  ['a short secret when jwt is not used', { resolutionStrategy: 'header', jwtSecret: 'short' }],
  ['subdomain with domainSuffix', { resolutionStrategy: 'subdomain', domainSuffix: 'example.com' }],
  ['custom with a resolver', { resolutionStrategy: 'custom', resolvers: [header] }],
  ['database with a template', { isolationStrategy: 'database', databaseUrlTemplate: TEMPLATE }],
  [
    'sqlite database with a file template',
    {
      databaseUrl: 'sqlite:./data/root.sqlite',
      isolationStrategy: 'database',
      databaseUrlTemplate: 'sqlite:./data/{database_name}.sqlite',
    },
  ],
  [
    'hybrid without database and no template',
    { isolationStrategy: 'hybrid', premiumIsolationStrategy: 'rls', standardIsolationStrategy: 'schema' },
  ],
  ['hybrid with database and a template', { isolationStrategy: 'hybrid', databaseUrlTemplate: TEMPLATE }],
  ['the same tier strategies outside hybrid', { premiumIsolationStrategy: 'rls', standardIsolationStrategy: 'rls' }],
  ['encryption with a 32-character key', { enableEncryption: true, encryptionKey: 'k'.repeat(32) }],
  ['a short key while encryption is off', { enableEncryption: false, encryptionKey: 'short' }],
  ['redis store with redisUrl', { store: 'redis', redisUrl: 'rediss://cache:6380' }],
  ['an owner URL under RLS', { isolationStrategy: 'rls', migrationDatabaseUrl: OWNER_URL }],
  [
    'an owner URL under hybrid with an RLS tier',
    {
      isolationStrategy: 'hybrid',
      migrationDatabaseUrl: OWNER_URL,
      premiumIsolationStrategy: 'schema',
      standardIsolationStrategy: 'rls',
    },
  ],
];

describe('resolveTenancyOptions cross-field rules', () => {
  it.each(CROSS_CASES)('refuses %s', (_case, patch, expected) => {
    const error = problemsOf(patch);
    expect(error.problems).toEqual(expected);
    expectNoSecret(error);
  });

  it.each(ACCEPTED)('accepts %s', (_case, patch) => {
    expect(() => resolve(patch)).not.toThrow();
  });

  it('reports several problems together, field and cross-field, in one error', () => {
    const error = problemsOf({
      isolationStrategy: 'database',
      resolutionStrategy: 'jwt',
      jwtSecret: 'short',
      poolSize: 0,
      scopeMode: 'statement',
      enableEncryption: true,
      encryptionKey: undefined,
      store: 'redis',
      redisUrl: undefined,
    });
    expect([...error.problems].sort()).toEqual(
      [
        problem('scopeMode', 'must be one of session, transaction'),
        problem('poolSize', 'must be at least 1'),
        problem('jwtSecret', 'must be at least 32 characters'),
        problem('databaseUrlTemplate', 'must contain {database_name} when tenants get their own database'),
        problem('encryptionKey', 'must be at least 32 characters when TENANCY_ENABLE_ENCRYPTION is on'),
        problem('redisUrl', 'is required when TENANCY_STORE is redis'),
      ].sort(),
    );
    expect(error.message).toBe(`Invalid tenancy configuration: ${error.problems.join('; ')}`);
  });

  it('never puts a secret in a message, with every secret field wrong at once', () => {
    const error = problemsOf({
      databaseUrl: `ftp://root:${PASSWORD}@db/app`,
      isolationStrategy: 'database',
      databaseUrlTemplate: `postgresql://app:${PASSWORD}@db/x`,
      resolutionStrategy: 'jwt',
      jwtSecret: `${MARK}-short`,
      enableEncryption: true,
      encryptionKey: `${MARK}-short`,
      encryptionKeys: [`${MARK}-short`],
      redisUrl: `memcached://:${PASSWORD}@cache`,
    });
    expect(error.problems.length).toBeGreaterThanOrEqual(6);
    expectNoSecret(error);
  });
});
