import { TenantNotFoundError } from '../errors/tenant-not-found.error';
import type { Tenant, TenantStatus } from '../models/tenant.model';

/** Statuses whose storage a migration run walks by default. */
export const MIGRATABLE_STATUSES: readonly TenantStatus[] = ['active', 'suspended'];
const PAGE = 500;

/** @internal One tenant a run covers (`skip` says why it is left alone), or a name nobody has. */
export type MigrationTarget = { name: string; tenant: Tenant; skip?: string } | { name: string; missing: string };

/** @internal How targets are looked up (the admin lifecycle fits). */
export interface TenantLookup {
  get(idOrIdentifier: string): Promise<Tenant>;
  list(query: { offset: number; limit: number }): Promise<Tenant[]>;
}

/**
 * @internal The tenants a migration run covers: the named ones (unknown names are reported,
 * never dropped silently), or every `active` and `suspended` tenant. RLS tenants and tenants
 * in `provisioning`/`deleted` are marked to skip. A tenant named twice (say by identifier and by
 * id) is one target, at its first mention: it must never be migrated twice at once.
 */
export async function migrationTargets(
  names: readonly string[] | undefined,
  lookup: TenantLookup,
): Promise<MigrationTarget[]> {
  if (names) return uniqueTenants(await Promise.all([...new Set(names)].map((name) => named(name, lookup))));
  const all: Tenant[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await lookup.list({ offset, limit: PAGE });
    all.push(...page);
    if (page.length < PAGE) break;
  }
  return all.filter((t) => MIGRATABLE_STATUSES.includes(t.status)).map(target);
}

function uniqueTenants(targets: MigrationTarget[]): MigrationTarget[] {
  const seen = new Set<string>();
  return targets.filter((t) => {
    if (!('tenant' in t)) return true;
    if (seen.has(t.tenant.id)) return false;
    seen.add(t.tenant.id);
    return true;
  });
}

async function named(name: string, lookup: TenantLookup): Promise<MigrationTarget> {
  try {
    return target(await lookup.get(name));
  } catch (error) {
    if (error instanceof TenantNotFoundError) return { name, missing: error.message };
    throw error;
  }
}

function target(tenant: Tenant): MigrationTarget {
  const name = tenant.identifier;
  if (tenant.isolationStrategy === 'rls')
    return { name, tenant, skip: 'RLS tenants share tables, migrated once at start-up' };
  if (!MIGRATABLE_STATUSES.includes(tenant.status)) return { name, tenant, skip: `tenant is ${tenant.status}` };
  return { name, tenant };
}
