import { validateSync } from 'class-validator';
import { TenancyConfigError } from '../errors/tenancy-config.error';
import { optionProblem } from './option-specs';
import { TENANCY_DEFAULTS } from './tenancy.defaults';
import {
  TYPEORM_PASSTHROUGH_KEYS,
  type ResolvedTenancyOptions,
  type TenancyModuleOptions,
} from './tenancy-options.interface';
import { TenancyOptionsSchema } from './tenancy-options.schema';
import { compileTrustedProxies, TRUSTED_PROXIES_PROBLEM } from './trusted-proxies.util';

/**
 * Applies defaults and validates; throws one `TenancyConfigError` listing every problem.
 * Messages name the option and its variable and never contain values (they may be secrets).
 */
export function resolveTenancyOptions(options: TenancyModuleOptions): ResolvedTenancyOptions {
  const defined = Object.fromEntries(Object.entries(options ?? {}).filter(([, v]) => v !== undefined));
  const resolved = { ...TENANCY_DEFAULTS, ...defined } as ResolvedTenancyOptions;
  const problems = [...fieldProblems(resolved), ...crossFieldProblems(resolved)];
  if (problems.length) {
    throw new TenancyConfigError(`Invalid tenancy configuration: ${problems.join('; ')}`, problems);
  }
  return Object.freeze(resolved);
}

function fieldProblems(options: ResolvedTenancyOptions): string[] {
  const schema = Object.assign(new TenancyOptionsSchema(), options);
  const errors = validateSync(schema, { forbidUnknownValues: false });
  return errors.flatMap((e) => Object.values(e.constraints ?? {}).slice(0, 1));
}

// Field types may be wrong here (fieldProblems reports them): read lists and strings defensively
// so one bad field gives a TenancyConfigError, not a TypeError.
function crossFieldProblems(o: ResolvedTenancyOptions): string[] {
  const problems: string[] = [];
  const need = (cond: boolean, option: string, text: string) => cond || problems.push(optionProblem(option, text));
  const algorithms: unknown[] = Array.isArray(o.jwtAlgorithms) ? o.jwtAlgorithms : [];
  const isHmac = (a: unknown) => String(a).startsWith('HS');
  const usesHmac = algorithms.some(isHmac);
  if (o.resolutionStrategy === 'jwt') {
    need(!!o.jwtSecret, 'jwtSecret', 'is required when TENANCY_RESOLUTION_STRATEGY is jwt');
    need(!o.jwtSecret || !usesHmac || String(o.jwtSecret).length >= 32, 'jwtSecret', 'must be at least 32 characters');
    need(
      !(usesHmac && algorithms.some((a) => !isHmac(a))),
      'jwtAlgorithms',
      'must not mix HMAC (HS*) and public-key algorithms',
    );
  }
  need(!Array.isArray(o.trustedProxies) || compiles(o.trustedProxies), 'trustedProxies', TRUSTED_PROXIES_PROBLEM);
  need(
    o.resolutionStrategy !== 'subdomain' || !!o.domainSuffix,
    'domainSuffix',
    'is required when TENANCY_RESOLUTION_STRATEGY is subdomain',
  );
  need(
    o.resolutionStrategy !== 'custom' || (Array.isArray(o.resolvers) && o.resolvers.length > 0),
    'resolvers',
    'must list at least one resolver when TENANCY_RESOLUTION_STRATEGY is custom',
  );
  const usesDatabase =
    o.isolationStrategy === 'database' ||
    (o.isolationStrategy === 'hybrid' &&
      [o.premiumIsolationStrategy, o.standardIsolationStrategy].includes('database'));
  const template = typeof o.databaseUrlTemplate === 'string' ? o.databaseUrlTemplate : '';
  need(
    !usesDatabase || template.includes('{database_name}'),
    'databaseUrlTemplate',
    'must contain {database_name} when tenants get their own database',
  );
  need(
    o.isolationStrategy !== 'hybrid' || o.premiumIsolationStrategy !== o.standardIsolationStrategy,
    'premiumIsolationStrategy',
    'must differ from TENANCY_STANDARD_ISOLATION_STRATEGY under hybrid isolation',
  );
  if (o.enableEncryption)
    need(
      (o.encryptionKey ?? '').length >= 32,
      'encryptionKey',
      'must be at least 32 characters when TENANCY_ENABLE_ENCRYPTION is on',
    );
  need(o.store !== 'redis' || !!o.redisUrl, 'redisUrl', 'is required when TENANCY_STORE is redis');
  const storeOk =
    typeof o.store === 'string'
      ? ['database', 'redis', 'memory'].includes(o.store)
      : typeof o.store === 'object' && o.store !== null;
  need(storeOk, 'store', 'must be one of database, redis, memory (or a TenantStore instance)');
  const usesRls =
    o.isolationStrategy === 'rls' ||
    (o.isolationStrategy === 'hybrid' && [o.premiumIsolationStrategy, o.standardIsolationStrategy].includes('rls'));
  need(
    o.migrationDatabaseUrl === undefined || usesRls,
    'migrationDatabaseUrl',
    'applies to row-level security only: use rls (or a hybrid tier on rls), or unset it',
  );
  need(
    o.migrationDatabaseUrl === undefined || String(o.databaseUrl).startsWith('postgres'),
    'migrationDatabaseUrl',
    'needs a PostgreSQL TENANCY_DATABASE_URL',
  );
  problems.push(...typeormProblems(o.typeorm));
  const urls = [o.databaseUrl, o.databaseUrlTemplate].filter((u) => typeof u === 'string') as string[];
  need(
    !o.statementTimeoutMs || urls.some((u) => u.startsWith('postgres')),
    'statementTimeoutMs',
    'applies to PostgreSQL only: unset it, or set the timeout on the server',
  );
  return problems;
}

function compiles(list: string[]): boolean {
  try {
    compileTrustedProxies(list);
    return true;
  } catch {
    return false;
  }
}

function typeormProblems(value: unknown): string[] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return [optionProblem('typeorm', 'must be an object (JSON in the variable)')];
  const problems: string[] = [];
  for (const key of Object.keys(value)) {
    if (!(TYPEORM_PASSTHROUGH_KEYS as readonly string[]).includes(key))
      problems.push(
        optionProblem(
          'typeorm',
          `may not set "${key}" (the library owns it); it passes ${TYPEORM_PASSTHROUGH_KEYS.join(', ')}`,
        ),
      );
  }
  const v = value as Record<string, unknown>;
  for (const key of ['retryAttempts', 'retryDelay', 'maxQueryExecutionTime']) {
    const n = v[key];
    if (n !== undefined && (!Number.isInteger(n) || (n as number) < 0 || (n as number) > 600_000))
      problems.push(optionProblem('typeorm', `${key} must be a whole number from 0 to 600000`));
  }
  if (v.extra !== undefined && (typeof v.extra !== 'object' || v.extra === null))
    problems.push(optionProblem('typeorm', 'extra must be an object'));
  return problems;
}
