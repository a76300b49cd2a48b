import { inspect } from 'node:util';
import { TenancyConfigError } from '../errors/tenancy-config.error';
import { loadTenancyConfig } from './load-tenancy-config';

type Env = Record<string, string>;

const KEY_A = 'a-long-enough-passphrase-for-hkdf-0001';
const BASE: Env = { TENANCY_DATABASE_URL: 'postgresql://app:app@db.internal:5432/app' };

function loadError(env: Env, base: Env = BASE): TenancyConfigError {
  try {
    loadTenancyConfig({ ...base, ...env });
  } catch (error) {
    expect(error).toBeInstanceOf(TenancyConfigError);
    return error as TenancyConfigError;
  }
  throw new Error(`expected a TenancyConfigError for ${Object.keys(env).join(', ')}`);
}

describe('loadTenancyConfig errors', () => {
  describe('unknown variables', () => {
    it.each([
      ['TENANCY_ISOLATON_STRATEGY', 'TENANCY_ISOLATION_STRATEGY'],
      ['TENANCY_POOLSIZE', 'TENANCY_POOL_SIZE'],
      ['TENANCY_JWT_SECRETS', 'TENANCY_JWT_SECRET'],
      ['TENANCY_TENANT_HEADER_NAM', 'TENANCY_TENANT_HEADER_NAME'],
      ['TENANCY_poolSize', 'TENANCY_POOL_SIZE'],
      ['TENANCY_POLL_SIZE', 'TENANCY_POOL_SIZE'],
      ['TENANCY_DATABASE_URI', 'TENANCY_DATABASE_URL'],
    ])('reports %s with "did you mean %s?"', (typo, known) => {
      const error = loadError({ [typo]: 'rls' });
      expect(error.problems).toEqual([`${typo} is not a known variable (did you mean ${known}?)`]);
      expect(error.message).toContain(`${typo} is not a known variable (did you mean ${known}?)`);
    });

    it('reports a name close to nothing without a suggestion, pointing to the README', () => {
      expect(loadError({ TENANCY_FLUX_CAPACITOR: '1.21' }).problems).toEqual([
        'TENANCY_FLUX_CAPACITOR is not a known variable (check the spelling against the README configuration table)',
      ]);
    });

    it('reports an unknown variable even when it is empty', () => {
      expect(loadError({ TENANCY_ISOLATON_STRATEGY: '' }).problems).toHaveLength(1);
    });

    it('does not accept a known name in another case', () => {
      expect(loadError({ TENANCY_Pool_Size: '3' }).problems).toEqual([
        'TENANCY_Pool_Size is not a known variable (did you mean TENANCY_POOL_SIZE?)',
      ]);
    });
  });

  describe('reporting', () => {
    it('needs TENANCY_DATABASE_URL', () => {
      const error = loadError({}, {});
      expect(error.problems).toEqual([
        'TENANCY_DATABASE_URL is required (postgresql://, mysql://, mariadb://, mssql:// or sqlite:<path>) (option databaseUrl)',
      ]);
    });

    it('contains the exact isolation message of the issue', () => {
      expect(loadError({ TENANCY_ISOLATION_STRATEGY: 'silo' }).message).toContain(
        'TENANCY_ISOLATION_STRATEGY must be one of schema, database, rls, hybrid',
      );
    });

    it('reports unknown names, unparsable values and failed validation together, in one error', () => {
      const error = loadError({
        TENANCY_ISOLATON_STRATEGY: 'rls',
        TENANCY_TRUST_PROXY: 'perhaps',
        TENANCY_POOL_SIZE: 'ten',
        TENANCY_ISOLATION_STRATEGY: 'silo',
        TENANCY_RESOLUTION_STRATEGY: 'subdomain',
        TENANCY_L1_CACHE_TTL_SECONDS: '0',
      });
      expect(error.problems).toEqual(
        expect.arrayContaining([
          'TENANCY_ISOLATON_STRATEGY is not a known variable (did you mean TENANCY_ISOLATION_STRATEGY?)',
          'TENANCY_TRUST_PROXY must be a boolean (true/false, 1/0, yes/no, on/off) (option trustProxy)',
          'TENANCY_POOL_SIZE must be a whole number (option poolSize)',
          'TENANCY_ISOLATION_STRATEGY must be one of schema, database, rls, hybrid (option isolationStrategy)',
          'TENANCY_DOMAIN_SUFFIX is required when TENANCY_RESOLUTION_STRATEGY is subdomain (option domainSuffix)',
          'TENANCY_L1_CACHE_TTL_SECONDS must be at least 1 (option l1CacheTtlSeconds)',
        ]),
      );
      expect(error.problems).toHaveLength(6);
      expect(error.message).toBe(`Invalid tenancy configuration: ${error.problems.join('; ')}`);
    });
  });

  describe('secrets never appear in errors', () => {
    const SECRET = 'XyZzY-s3cr3t';
    const failing: Array<[string, Env]> = [
      ['a short jwt secret', { TENANCY_RESOLUTION_STRATEGY: 'jwt', TENANCY_JWT_SECRET: SECRET }],
      ['a short encryption key', { TENANCY_ENABLE_ENCRYPTION: 'true', TENANCY_ENCRYPTION_KEY: SECRET }],
      ['a short older key', { TENANCY_ENCRYPTION_KEYS: `${KEY_A},${SECRET}` }],
      ['a bad database url with a password', { TENANCY_DATABASE_URL: `http://app:${SECRET}@db/app` }],
      [
        'a valid database url with a password next to a bad option',
        { TENANCY_DATABASE_URL: `postgresql://app:${SECRET}@db/app`, TENANCY_POOL_SIZE: '0' },
      ],
      ['a bad redis url with a password', { TENANCY_REDIS_URL: `http://:${SECRET}@cache:6379` }],
      [
        'a template without a placeholder',
        { TENANCY_ISOLATION_STRATEGY: 'database', TENANCY_DATABASE_URL_TEMPLATE: `postgresql://app:${SECRET}@db/x` },
      ],
      ['a secret set on a misspelled variable', { TENANCY_JWT_SECRETT: SECRET }],
      ['a secret in an unparsable value', { TENANCY_TRUST_PROXY: SECRET, TENANCY_POOL_SIZE: SECRET }],
      ['a secret in an enum', { TENANCY_ISOLATION_STRATEGY: SECRET, TENANCY_SCOPE_MODE: SECRET }],
    ];
    it.each(failing)('%s', (_case, env) => {
      const error = loadError(env);
      expect(error.message).not.toContain(SECRET);
      expect(error.problems.join('\n')).not.toContain(SECRET);
      expect(inspect(error)).not.toContain(SECRET);
      expect(JSON.stringify(error)).not.toContain(SECRET);
    });
  });
});
