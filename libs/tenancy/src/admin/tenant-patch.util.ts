import { TenancyError } from '../errors/tenancy.error';
import { dialectFromUrl } from '../isolation/dialects/dialect-from-url.util';
import type { Tenant, TenantIsolation, TenantStatus } from '../models/tenant.model';
import type { TenantPatch } from '../store/tenant-store.interface';
import { isPlainObject } from './registration-input.util';

const FIELDS = ['name', 'status', 'isolationStrategy', 'tier', 'databaseUrl', 'metadata'];
const STATUSES: readonly TenantStatus[] = ['active', 'suspended', 'deleted'];
const DEFAULT_PORTS: Record<string, string> = { postgres: '5432', mysql: '3306', mssql: '1433' };
const STRATEGIES: readonly TenantIsolation[] = ['schema', 'database', 'rls'];

/**
 * @internal Checks an `update()` patch the way `register` checks its input: known fields only,
 * each of the right type, a status `update()` may set (`provisioning` is registration's own).
 * @throws TenancyError naming the bad field.
 */
export function validatePatch(patch: unknown): TenantPatch {
  if (!isPlainObject(patch)) throw new TenancyError('update() needs a patch object, e.g. { name: "Acme" }');
  for (const key of Object.keys(patch)) {
    if (!FIELDS.includes(key))
      throw new TenancyError(`update() cannot change "${key.slice(0, 40)}" (fields it changes: ${FIELDS.join(', ')})`);
  }
  const p = patch as Record<string, unknown>;
  for (const key of ['name', 'tier'])
    if (p[key] !== undefined && (typeof p[key] !== 'string' || p[key].trim() === ''))
      throw new TenancyError(`${key} must be a non-empty string`);
  if (p.metadata !== undefined && !isPlainObject(p.metadata)) throw new TenancyError('metadata must be a plain object');
  if (p.status !== undefined && !STATUSES.includes(p.status as TenantStatus)) {
    throw new TenancyError(
      `status must be one of ${STATUSES.join(', ')} (got ${JSON.stringify(String(p.status).slice(0, 40))})`,
    );
  }
  if (p.isolationStrategy !== undefined && !STRATEGIES.includes(p.isolationStrategy as TenantIsolation))
    throw new TenancyError(`isolationStrategy must be one of ${STRATEGIES.join(', ')}`);
  if (p.databaseUrl !== undefined && p.databaseUrl !== null && (typeof p.databaseUrl !== 'string' || !p.databaseUrl))
    throw new TenancyError('databaseUrl must be a non-empty string or null');
  return patch as TenantPatch;
}

/**
 * @internal Refuses a patch that would move `tenant` (its strategy, or its database to another
 * one): `update()` moves no data, so the tenant would be served from empty storage and a hard
 * delete would drop the wrong thing. A database the tenant brought may get a new URL to the same
 * database (credentials, options); one made from the template keeps no URL of its own.
 * @param currentUrl the tenant's database URL now (decrypted), or `null` when made from the template
 */
export function assertSamePlacement(tenant: Tenant, patch: TenantPatch, currentUrl: string | null): void {
  const name = JSON.stringify(tenant.identifier);
  const promotion = 'Moving a tenant goes through promotion (promote()/demote()), which moves its data';
  if (patch.isolationStrategy !== undefined && patch.isolationStrategy !== tenant.isolationStrategy) {
    throw new TenancyError(
      `update() cannot move tenant ${name} from ${tenant.isolationStrategy} to ${patch.isolationStrategy}: it would not move its data. ${promotion}`,
    );
  }
  if (patch.databaseUrl === undefined) return;
  if (tenant.isolationStrategy !== 'database') {
    if (patch.databaseUrl === null) return;
    throw new TenancyError(
      `databaseUrl is only for database-per-tenant tenants (tenant ${name} is placed on ${tenant.isolationStrategy})`,
    );
  }
  if (currentUrl === null && patch.databaseUrl === null) return;
  if (currentUrl === null || patch.databaseUrl === null || !sameDatabase(currentUrl, patch.databaseUrl)) {
    throw new TenancyError(
      `update() cannot point tenant ${name} at another database: its data would stay behind. A databaseUrl it brought may change only to a URL of the same database (e.g. new credentials). ${promotion}`,
    );
  }
}

/** Same server and database (credentials and query options may differ). */
function sameDatabase(a: string, b: string): boolean {
  const where = (url: string) => {
    const dialect = dialectFromUrl(url);
    if (dialect === 'sqlite') return `sqlite:${url.slice('sqlite:'.length).split('?')[0]}`;
    const u = new URL(url);
    const port = u.port || DEFAULT_PORTS[dialect];
    return `${dialect}://${u.hostname.toLowerCase()}:${port}/${decodeURIComponent(u.pathname.slice(1))}`;
  };
  try {
    return where(a) === where(b);
  } catch {
    return false;
  }
}
