import type { DataSource, EntityManager, Repository } from 'typeorm';
import type { Tenant, TenantConnectionManager, TenantContext, TenantIsolation } from 'nestjs-tenancy';
import type { Location } from './admin-view';
import type { Item, Memo, Owner, Scratch, Tag, TreeNode, MatrixTable } from './matrix.entities';

export type Dialect = 'postgres' | 'mysql' | 'sqlite';
export type Row = Record<string, unknown>;
/** Every row a tenant owns, per table, as the admin (not the library) reads it. */
export type Snapshot = Record<MatrixTable, Row[]>;

/** Where the acting tenant lives: what a path's `notOffered` entries match on. */
export interface Placement {
  readonly dialect: Dialect;
  readonly strategy: TenantIsolation;
  /** The target's name (e.g. `postgres rls (transaction scope)`). */
  readonly target: string;
}

/** What the application injects, exactly as a user gets it (`@InjectTenantRepository` & co). */
export interface Injected {
  readonly items: Repository<Item>;
  readonly owners: Repository<Owner>;
  readonly tags: Repository<Tag>;
  readonly nodes: Repository<TreeNode>;
  readonly scratch: Repository<Scratch>;
  readonly memos: Repository<Memo>;
  readonly em: EntityManager;
  readonly ds: DataSource;
  readonly connections: TenantConnectionManager;
  readonly context: TenantContext;
}

/** What a path gets: the injected handles, the acting tenant, the others, and the admin view. */
export interface MatrixEnv extends Injected {
  readonly tenant: Tenant;
  readonly tenants: readonly Tenant[];
  readonly others: readonly Tenant[];
  readonly where: Placement;
  /** `${identifier}-${suffix}`: every label names its tenant, so a leak shows whose row it was. */
  label(suffix: string, tenant?: Tenant): string;
  /** How raw SQL names a table for this tenant (SQLite prefix mode: the placeholder-prefixed name). */
  table(name: MatrixTable): string;
  /** The n-th bind parameter (1-based) in this dialect's raw SQL. */
  param(n: number): string;
  /** Where a tenant's rows physically are. */
  locate(tenant: Tenant): Location;
  /** The admin's view of a tenant's rows. */
  snapshot(tenant?: Tenant): Promise<Snapshot>;
}

/** A path a dialect or strategy does not offer: the clear error the library (or TypeORM) gives instead. */
export interface NotOffered {
  readonly when: (where: Placement) => boolean;
  readonly reason: string;
  readonly error: RegExp;
}

/**
 * One way TypeORM reaches data. `run` executes inside the acting tenant's scope and returns what
 * it observed; `check` asserts on that and on the acting tenant's rows before and after. The
 * runner itself asserts that every other tenant's rows are byte-for-byte unchanged (except the
 * tenant named by `writesTo`), that every tenant_id is its owner's, and that no reference leaves
 * a tenant.
 */
export interface AccessPath {
  readonly group: string;
  readonly name: string;
  readonly run: (env: MatrixEnv) => Promise<unknown>;
  readonly check: (env: MatrixEnv, observed: unknown, before: Snapshot, after: Snapshot) => void | Promise<void>;
  /** The tenant whose rows the path legitimately changes (default: the acting one). */
  readonly writesTo?: (env: MatrixEnv) => Tenant;
  readonly notOffered?: readonly NotOffered[];
}
