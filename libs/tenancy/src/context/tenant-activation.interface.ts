import type { Tenant } from '../models/tenant.model';

/**
 * Work done once a request's tenant is known and before its handler runs (the connection
 * layer connects a database-per-tenant DataSource here, so repositories need no I/O to start).
 * Defined here so resolution can call it without depending on the connection layer.
 */
export interface TenantActivation {
  activate(tenant: Tenant): void | Promise<unknown>;
}

/** Injection token of the `TenantActivation` (same name as the interface). */
export const TenantActivation = Symbol.for('nestjs-tenancy:TenantActivation');
