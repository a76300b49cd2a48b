import type { Tenant, TenantStatus } from '../models/tenant.model';

/** Fields given when a tenant is created; `id`, timestamps and defaults are filled by the store. */
export interface CreateTenantInput {
  readonly id?: string;
  readonly identifier: string;
  readonly name: string;
  readonly status?: TenantStatus;
  readonly isolationStrategy: Tenant['isolationStrategy'];
  readonly tier?: string;
  readonly databaseUrl?: string | null;
  readonly metadata?: Record<string, unknown>;
}

/** Fields that `update` may change. */
export type TenantPatch = Partial<
  Pick<Tenant, 'name' | 'status' | 'isolationStrategy' | 'tier' | 'databaseUrl' | 'metadata'>
>;

/**
 * Conditions a store checks atomically with a write. A write that does not meet them throws
 * `TenantWriteRefusedError` and changes nothing.
 */
export interface TenantWriteGuard {
  /** `setStatus` only: the tenant's current status must be one of these. */
  readonly from?: readonly TenantStatus[];
  /**
   * The other tenants that are not `deleted` must number fewer than this (a status write to
   * `deleted` is never refused for it). Stores serialize such writes across processes: an advisory
   * lock on PostgreSQL, a named lock on MySQL/MariaDB, one script in Redis (in-process only on
   * SQLite and SQL Server).
   */
  readonly maxLive?: number;
}

/** Filter and page of `list`. */
export interface ListTenantsQuery {
  readonly status?: TenantStatus;
  readonly offset?: number;
  readonly limit?: number;
}

/**
 * Where tenants live. Implementations: `TypeOrmTenantStore`, `RedisTenantStore`,
 * `InMemoryTenantStore`; inject with `@Inject(TenantStore)`.
 * `create` raises `TenantAlreadyExistsError` on a duplicate identifier (atomically);
 * `getById`/`getByIdentifier`/`update`/`setStatus`/`delete` raise `TenantNotFoundError`;
 * a guarded `create`/`setStatus` raises `TenantWriteRefusedError`.
 */
export interface TenantStore {
  create(input: CreateTenantInput, guard?: Pick<TenantWriteGuard, 'maxLive'>): Promise<Tenant>;
  getById(id: string): Promise<Tenant>;
  getByIdentifier(identifier: string): Promise<Tenant>;
  list(query?: ListTenantsQuery): Promise<Tenant[]>;
  update(id: string, patch: TenantPatch): Promise<Tenant>;
  setStatus(id: string, status: TenantStatus, guard?: TenantWriteGuard): Promise<Tenant>;
  /**
   * Atomic top-level merge into `metadata`: each key of `patch` replaces the stored one, `null`
   * removes it. Concurrent merges never lose one another. Optional for custom stores (then
   * `TenantAdminService.updateMetadata` refuses rather than merge unsafely).
   */
  updateMetadata?(id: string, patch: Record<string, unknown>): Promise<Tenant>;
  delete(id: string): Promise<void>;
  count(query?: Pick<ListTenantsQuery, 'status'>): Promise<number>;
  /**
   * Optional, for caches: the tenant from memory without I/O; `null` when known not to exist,
   * `undefined` when unknown here (then call `getByIdentifier`).
   */
  peekByIdentifier?(identifier: string): Tenant | null | undefined;
  /**
   * Optional, for caches: the tenant read from the wrapped store, past every cache level, for
   * decisions that must not rest on a cached copy (the admin's writes). A cached copy that
   * differs from it is dropped everywhere.
   */
  getFromStore?(kind: 'id' | 'identifier', key: string): Promise<Tenant>;
  /**
   * Optional, for caches shared by several instances: `listener(tenantId)` runs when another
   * instance changed a tenant's placement or status, so this one evicts its connections.
   */
  onPlacementChange?(listener: (tenantId: string) => void): void;
  /** Optional: release connections (called on shutdown). */
  close?(): Promise<void>;
}

/** Injection token of the `TenantStore` (same name as the interface). */
export const TenantStore = Symbol.for('nestjs-tenancy:TenantStore');
