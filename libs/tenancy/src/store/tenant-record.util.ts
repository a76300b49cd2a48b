import { randomUUID } from 'node:crypto';
import type { Tenant } from '../models/tenant.model';
import type { CreateTenantInput, TenantPatch } from './tenant-store.interface';

const PATCHABLE = ['name', 'status', 'isolationStrategy', 'tier', 'databaseUrl', 'metadata'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** @internal True for a canonical UUID string (any version). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** @internal A new tenant from `input`, with defaults: status `active`, tier `standard`, no URL, `{}`. */
export function buildTenant(input: CreateTenantInput, now = new Date()): Tenant {
  return {
    id: input.id ?? randomUUID(),
    identifier: input.identifier,
    name: input.name,
    status: input.status ?? 'active',
    isolationStrategy: input.isolationStrategy,
    tier: input.tier ?? 'standard',
    databaseUrl: input.databaseUrl ?? null,
    metadata: input.metadata ?? {},
    createdAt: now,
    updatedAt: now,
  };
}

/** @internal Only the patchable fields that are set (`undefined` means "leave as is"). */
export function cleanPatch(patch: TenantPatch): TenantPatch {
  const clean: Record<string, unknown> = {};
  for (const key of PATCHABLE) if (patch[key] !== undefined) clean[key] = patch[key];
  return clean as TenantPatch;
}

/** @internal `tenant` with `patch` applied and `updatedAt` moved to `now`. */
export function patchTenant(tenant: Tenant, patch: TenantPatch, now = new Date()): Tenant {
  return { ...tenant, ...cleanPatch(patch), updatedAt: now };
}

/**
 * @internal A deep, frozen copy: callers can neither change the store's state nor be changed by it.
 * Dates are fresh objects (a frozen Date can still be `setTime`d).
 */
export function freezeTenant(tenant: Tenant): Tenant {
  return Object.freeze({
    ...tenant,
    metadata: deepFreeze(structuredClone(tenant.metadata ?? {})),
    createdAt: new Date(tenant.createdAt.getTime()),
    updatedAt: new Date(tenant.updatedAt.getTime()),
  });
}

/** @internal List order of every store: `createdAt`, then `id`. */
export function compareTenants(a: Tenant, b: Tenant): number {
  const byTime = a.createdAt.getTime() - b.createdAt.getTime();
  return byTime !== 0 ? byTime : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
