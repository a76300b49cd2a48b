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
