import { Inject, Injectable } from '@nestjs/common';
import type { ResolvedTenancyOptions } from '../config/tenancy-options.interface';
import type { TenancyDataSources } from '../connection/tenancy-data-sources';
import { usesStrategy } from '../config/uses-strategy.util';
import { TENANCY_DATA_SOURCES, TENANCY_OPTIONS } from '../tenancy.constants';
import { withMigrationLock } from './migration-lock';
import { migrationState, stoppedRun, type TenantMigrationState } from './migration-state.util';
import { RLS_SHARED_MIGRATIONS, setUpRls, sharedMigrationView, type RlsOwner } from './rls-setup';

/**
 * @internal The shared RLS tables are one schema for every RLS tenant: their migrations run,
 * revert and report once (issue 12 item 8), by the DDL role (`migrationDatabaseUrl` when set),
 * under the same advisory lock as start-up. A run ends as start-up does: registry out of tenant
 * reach, grants, and the runtime role's verification; then RLS tenants are served.
 */
@Injectable()
export class RlsSharedMigrations {
  constructor(
    @Inject(TENANCY_OPTIONS) private readonly options: ResolvedTenancyOptions,
    @Inject(TENANCY_DATA_SOURCES) private readonly sources: TenancyDataSources,
  ) {}

  /**
   * The CLI's start-up: pending migrations of the shared tables are left to `migrate:run`, so
   * `migrate:status` shows them and `migrate:run` applies and reports them (until then RLS tenants
   * are refused). Called before the module initializes.
   */
  deferAtStartUp(): void {
    this.sources.rls.deferMigrations = true;
  }

  /** Whether any tenant can live on RLS here (PostgreSQL, `rls` or a hybrid tier on it). */
  get inUse(): boolean {
    return this.sources.dialect === 'postgres' && usesStrategy(this.options, 'rls');
  }

  /**
   * Applies the pending migrations (synchronizes when none are configured) and verifies.
   * @throws MigrationRunError naming the failed migration and the ones committed before it.
   */
  migrate(): Promise<string[]> {
    return this.sources.rls.withDdl(async (owner) => {
      const view = this.view(owner);
      const before = await migrationState(view);
      try {
        const { applied } = await setUpRls(this.sources.sharedRls!, this.sources.root, this.options, owner);
        this.sources.rls.ready = true;
        return applied;
      } catch (cause) {
        throw await stoppedRun(view, before, cause);
      }
    });
  }

  /** Reverts the last applied migration of the shared tables; its name (or nothing). */
  revert(): Promise<string[]> {
    if (this.options.migrations.length === 0) return Promise.resolve([]);
    return this.sources.rls.withDdl(async (owner) => {
      const view = this.view(owner);
      const before = await migrationState(view);
      await withMigrationLock(view, RLS_SHARED_MIGRATIONS, (executor) => executor.undoLastMigration(), {
        lockTimeoutMs: this.options.ddlLockTimeoutMs,
      });
      const after = await migrationState(view);
      return before.applied.filter((name) => !after.applied.includes(name));
    });
  }

  status(): Promise<TenantMigrationState> {
    return this.sources.rls.withDdl((owner) => migrationState(this.view(owner)));
  }

  private view(owner: RlsOwner | undefined) {
    return sharedMigrationView(owner?.shared ?? this.sources.sharedRls!);
  }
}
