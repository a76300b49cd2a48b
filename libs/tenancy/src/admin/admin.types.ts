import type { TenancyMetrics } from '../observability/tenancy-metrics.types';
import type { Tenant, TenantStatus } from '../models/tenant.model';

/** What `TenantAdminService.register` takes. */
export interface RegisterTenantInput {
  /** Public identifier, `^[a-z][a-z0-9-]{1,61}[a-z0-9]$`. */
  readonly identifier: string;
  /** Display name. */
  readonly name: string;
  /** Free-form metadata; values under keys starting `_enc_` are encrypted at rest. */
  readonly metadata?: Record<string, unknown>;
  /** Customer tier. `premium` places the tenant on `premiumIsolationStrategy` under hybrid. Default `standard`. */
  readonly tier?: string;
  /**
   * Database strategy only: a database the tenant brings (it must exist; it is never dropped).
   * Encrypted at rest. Default: a database made from `databaseUrlTemplate`.
   */
  readonly databaseUrl?: string;
  /**
   * Take a schema or database that already exists and holds objects (a leftover, or a database
   * the tenant brought with data). Default `false`: such storage is refused, naming it. Storage
   * that existed before `register` is never dropped by its rollback either way.
   */
  readonly adoptExistingStorage?: boolean;
}

/** Options of `TenantAdminService.delete`. */
export interface DeleteTenantOptions {
  /** Drop the schema or database (RLS: delete the tenant's rows) and the row. Default `false`: status `deleted`. */
  readonly hard?: boolean;
}

/** Which tenants a migration run covers, and how. */
export interface MigrationRunOptions {
  /** Identifiers (or ids). Default: every `active` and `suspended` tenant. */
  readonly tenants?: readonly string[];
  /** Tenants migrated at once. Default 4. */
  readonly concurrency?: number;
  /** Called once per tenant as it finishes, in completion order. */
  readonly onProgress?: (progress: MigrationProgress) => void;
}

/** Outcome of one tenant in a migration run. */
export type TenantMigrationOutcome = 'migrated' | 'reverted' | 'synchronized' | 'failed' | 'skipped';

/** One tenant's line in a {@link MigrationReport}. */
export interface TenantMigrationResult {
  /**
   * The tenant identifier (or the name asked for, when no tenant has it), or `shared RLS tables`:
   * the one line of the tables every RLS tenant shares (see `tenants`).
   */
  readonly tenant: string;
  /** On the `shared RLS tables` line: the `active` and `suspended` RLS tenants those tables hold. */
  readonly tenants?: string[];
  /**
   * `migrated` (migrate succeeded, possibly with nothing pending), `reverted` (revert succeeded),
   * `synchronized` (`synchronize` succeeded; `applied` is then empty),
   * `failed`, or `skipped` (`provisioning` and `deleted` tenants are left alone, and RLS tenants
   * where RLS is no longer configured).
   */
  readonly status: TenantMigrationOutcome;
  /**
   * Migration names this run applied (revert: the names it reverted). On `failed`, the ones
   * committed before the failing one (each migration runs in its own transaction).
   */
  readonly applied: string[];
  /** On `failed`: the migration that failed (rolled back; it and the ones after it are still pending). */
  readonly failedMigration?: string;
  readonly durationMs: number;
  /** Why it failed or was skipped. */
  readonly error?: string;
}

/** What `migrate` and `revertMigration` return. The CLI exits non-zero when `failed > 0`. */
export interface MigrationReport {
  /** One entry per tenant, in the order tenants were listed. */
  readonly results: TenantMigrationResult[];
  /** Number of results with status `failed`. */
  readonly failed: number;
}

/** Passed to `onProgress` after each tenant. */
export interface MigrationProgress {
  readonly done: number;
  readonly total: number;
  readonly result: TenantMigrationResult;
}

/** One tenant's line of `migrationStatus()`. */
export interface TenantMigrationStatus {
  /** The tenant identifier (or the name asked for, when no tenant has it), or `shared RLS tables`. */
  readonly tenant: string;
  /** On the `shared RLS tables` line: the `active` and `suspended` RLS tenants those tables hold. */
  readonly tenants?: string[];
  /** `null` when no tenant has the name asked for (then `error` says so), and on the `shared RLS tables` line. */
  readonly status: TenantStatus | null;
  /** `null` when no tenant has the name asked for. */
  readonly isolationStrategy: Tenant['isolationStrategy'] | null;
  readonly applied: string[];
  readonly pending: string[];
  /** Set when the state could not be read, or no tenant has the name (the same message `migrate` reports). */
  readonly error?: string;
}

/** What `rotateEncryptionKey` returns. */
export interface KeyRotationReport {
  /** Tenants read. */
  readonly scanned: number;
  /** Tenants rewritten with the current key (older-key tokens, or plain values in encrypted fields). */
  readonly reEncrypted: number;
  /** Tenants whose values no configured key could decrypt (left unchanged). */
  readonly failed: Array<{ tenant: string; error: string }>;
}

/** What `TenantAdminService.getMetrics` returns: the `TenancyMetricsService` snapshot. */
export type TenancyAdminMetrics = TenancyMetrics;
