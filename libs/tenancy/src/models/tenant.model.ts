/** Isolation strategies a tenant can be placed on. */
export type IsolationStrategy = 'schema' | 'database' | 'rls' | 'hybrid';
/** The strategy actually used for one tenant (`hybrid` resolves to one of these). */
export type TenantIsolation = Exclude<IsolationStrategy, 'hybrid'>;
/** Lifecycle status of a tenant. Only `active` tenants are served. */
export type TenantStatus = 'active' | 'suspended' | 'deleted' | 'provisioning';
export const TENANT_STATUSES: readonly TenantStatus[] = ['active', 'suspended', 'deleted', 'provisioning'];

/**
 * A tenant. Placement (`isolationStrategy`, `databaseUrl`) lives on the tenant so that it can
 * later move between tiers or databases without touching application code.
 */
export interface Tenant {
  /** UUID, immutable. */
  readonly id: string;
  /** Public identifier, `^[a-z][a-z0-9-]{1,61}[a-z0-9]$`, used in headers, subdomains and paths. */
  readonly identifier: string;
  readonly name: string;
  readonly status: TenantStatus;
  /** The strategy this tenant is served with (decided at registration). */
  readonly isolationStrategy: TenantIsolation;
  /** Customer tier, e.g. `standard` or `premium`. */
  readonly tier: string;
  /** The tenant's own database URL (database strategy); encrypted at rest when encryption is on. */
  readonly databaseUrl: string | null;
  /** Free-form metadata; values under keys starting `_enc_` are encrypted at rest. */
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}
