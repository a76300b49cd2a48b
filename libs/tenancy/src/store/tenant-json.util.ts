import type { Tenant } from '../models/tenant.model';
import { freezeTenant } from './tenant-record.util';

/** @internal A tenant as one JSON string (dates as ISO 8601), for Redis. */
export function tenantToJson(tenant: Tenant): string {
  return JSON.stringify(tenant);
}

/** @internal The frozen tenant of a `tenantToJson` string. */
export function tenantFromJson(json: string): Tenant {
  const raw = JSON.parse(json) as Omit<Tenant, 'createdAt' | 'updatedAt'> & { createdAt: string; updatedAt: string };
  return freezeTenant({ ...raw, createdAt: new Date(raw.createdAt), updatedAt: new Date(raw.updatedAt) });
}

/**
 * @internal The tenant of a cached JSON string, or `null` when it is not one (unparsable, not an
 * object, no string `id` / `identifier` / `status`, unreadable dates): a cache entry is input.
 */
export function tenantFromCacheJson(json: string): Tenant | null {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const r = raw as Record<string, unknown>;
  if (![r.id, r.identifier, r.status, r.createdAt, r.updatedAt].every((v) => typeof v === 'string')) return null;
  const tenant = tenantFromJson(json);
  return Number.isNaN(tenant.createdAt.getTime() + tenant.updatedAt.getTime()) ? null : tenant;
}
