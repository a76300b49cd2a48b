import { TenantNotFoundError } from '../errors/tenant-not-found.error';
import type { Tenant, TenantStatus } from '../models/tenant.model';

/** Statuses whose storage a migration run walks by default. */
export const MIGRATABLE_STATUSES: readonly TenantStatus[] = ['active', 'suspended'];
/** The report line of the shared RLS tables (never a valid identifier, so never a tenant's). */
export const SHARED_RLS_TARGET = 'shared RLS tables';
const PAGE = 500;

/**
 * @internal One tenant a run covers (`skip` says why it is left alone), a name nobody has, or
 * the shared RLS tables with the RLS tenants they hold.
 */
export type MigrationTarget =
  | { name: string; tenant: Tenant; skip?: string }
  | { name: string; missing: string }
  | { name: string; shared: Tenant[] };

/** @internal How targets are looked up (the admin lifecycle fits). */
export interface TenantLookup {
  get(idOrIdentifier: string): Promise<Tenant>;
  list(query: { offset: number; limit: number }): Promise<Tenant[]>;
}

/**
 * @internal The targets of a migration run: the named tenants (unknown names are reported, never
 * dropped silently), or every `active` and `suspended` tenant. RLS tenants share one schema: with
 * `sharedRls` they are ONE target, run once (first when nobody is named, else where an RLS tenant
 * is first named), listing every `active` and `suspended` RLS tenant (issue 12 item 8). Tenants
 * in `provisioning`/`deleted` are marked to skip. A tenant named twice (say by identifier and by
 * id) is one target, at its first mention: it must never be migrated twice at once.
 */
export async function migrationTargets(
  names: readonly string[] | undefined,
  lookup: TenantLookup,
  { sharedRls }: { sharedRls: boolean },
): Promise<MigrationTarget[]> {
  if (names) {
    const found = uniqueTenants(await Promise.all([...new Set(names)].map((name) => named(name, lookup))));
    return sharedRls ? mergeShared(found, lookup) : found.map(rlsSkipped);
  }
  const all = (await listAll(lookup)).filter((t) => MIGRATABLE_STATUSES.includes(t.status));
  if (!sharedRls) return all.map(target).map(rlsSkipped);
  const rls = all.filter((t) => t.isolationStrategy === 'rls');
  return [{ name: SHARED_RLS_TARGET, shared: rls }, ...all.filter((t) => !rls.includes(t)).map(target)];
}

/** Named RLS tenants that would run become one shared target, at the first one's place. */
async function mergeShared(targets: MigrationTarget[], lookup: TenantLookup): Promise<MigrationTarget[]> {
  const runsShared = (t: MigrationTarget) => 'tenant' in t && !t.skip && t.tenant.isolationStrategy === 'rls';
  const first = targets.findIndex(runsShared);
  if (first < 0) return targets;
  const shared = (await listAll(lookup)).filter(
    (t) => t.isolationStrategy === 'rls' && MIGRATABLE_STATUSES.includes(t.status),
  );
  const merged = targets.filter((t, i) => i === first || !runsShared(t));
  merged[merged.indexOf(targets[first])] = { name: SHARED_RLS_TARGET, shared };
  return merged;
}

function rlsSkipped(t: MigrationTarget): MigrationTarget {
  if (!('tenant' in t) || t.skip || t.tenant.isolationStrategy !== 'rls') return t;
  return { ...t, skip: 'RLS is not configured here (isolationStrategy)' };
}

async function listAll(lookup: TenantLookup): Promise<Tenant[]> {
  const all: Tenant[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await lookup.list({ offset, limit: PAGE });
    all.push(...page);
    if (page.length < PAGE) break;
  }
  return all;
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
  if (!MIGRATABLE_STATUSES.includes(tenant.status)) return { name, tenant, skip: `tenant is ${tenant.status}` };
  return { name, tenant };
}
