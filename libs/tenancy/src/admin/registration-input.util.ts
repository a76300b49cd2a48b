import { TenancyError } from '../errors/tenancy.error';
import { assertValidTenantIdentifier } from '../models/tenant-identifier';
import type { CreateTenantInput } from '../store/tenant-store.interface';
import type { RegisterTenantInput } from './admin.types';
import { placeTenant } from './tenant-placement.util';

type PlacementOptions = Parameters<typeof placeTenant>[0];

/**
 * @internal Checks `register` input and turns it into the row to reserve (status
 * `provisioning`, placement decided, plain values: the caller encrypts).
 * @throws TenancyError naming the bad field.
 */
export function validateRegistration(input: RegisterTenantInput, options: PlacementOptions): CreateTenantInput {
  if (typeof input !== 'object' || input === null) throw new TenancyError('register() needs { identifier, name }');
  assertValidTenantIdentifier(input.identifier);
  if (typeof input.name !== 'string' || input.name.trim() === '')
    throw new TenancyError('name must be a non-empty string');
  if (input.tier !== undefined && (typeof input.tier !== 'string' || input.tier === ''))
    throw new TenancyError('tier must be a non-empty string');
  if (input.metadata !== undefined && !isPlainObject(input.metadata))
    throw new TenancyError('metadata must be a plain object');
  const placement = placeTenant(options, input.identifier, input.tier);
  if (input.databaseUrl !== undefined) {
    if (typeof input.databaseUrl !== 'string' || input.databaseUrl === '')
      throw new TenancyError('databaseUrl must be a non-empty string');
    if (placement.isolationStrategy !== 'database') {
      throw new TenancyError(
        `databaseUrl is only for database-per-tenant tenants (this one is placed on ${placement.isolationStrategy})`,
      );
    }
  }
  return {
    identifier: input.identifier,
    name: input.name,
    status: 'provisioning',
    ...placement,
    databaseUrl: input.databaseUrl ?? null,
    metadata: input.metadata ?? {},
  };
}

/** @internal The refusal when `maxTenants` live tenants exist already. */
export function tenantLimitError(max: number): TenancyError {
  return new TenancyError(`the tenant limit is reached (maxTenants = ${max}, TENANCY_MAX_TENANTS)`);
}

/** @internal The identifier to name in an error about `input` (bounded, never the whole input). */
export function identifierLabel(input: unknown): string {
  const identifier = (input as { identifier?: unknown } | null)?.identifier;
  return typeof identifier === 'string' ? identifier.slice(0, 64) : `(${typeof identifier})`;
}

/** @internal A plain object (`{}` or `Object.create(null)`), not an array, class instance or null. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
