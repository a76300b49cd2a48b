import { Inject, Injectable } from '@nestjs/common';
import { optionLabel } from '../config/option-specs';
import type { ResolvedTenancyOptions } from '../config/tenancy-options.interface';
import { TenancyConfigError } from '../errors/tenancy-config.error';
import { synchronizeWithoutDrops } from '../isolation/safe-synchronize.util';
import { TENANCY_OPTIONS } from '../tenancy.constants';
import { MigrationRunError } from '../isolation/migration-run.error';
import { RlsSharedMigrations } from '../isolation/rls-shared-migrations';
import { TenantProvisioner } from '../isolation/tenant-provisioner';
import type { Tenant } from '../models/tenant.model';
import type {
  MigrationReport,
  MigrationRunOptions,
  TenantMigrationOutcome,
  TenantMigrationResult,
  TenantMigrationStatus,
} from './admin.types';
import { assertConcurrency, mapBounded } from './bounded-concurrency.util';
import { SHARED_RLS_TARGET, migrationTargets, type MigrationTarget } from './migration-targets';
import { TenantLifecycle } from './tenant-lifecycle';

const DEFAULT_CONCURRENCY = 4;

/** What one run does to a tenant's storage, and to the shared RLS tables. */
interface RunKind {
  readonly success: TenantMigrationOutcome;
  readonly tenant: (tenant: Tenant) => Promise<string[]>;
  readonly shared: () => Promise<string[]>;
}

/**
 * @internal Walks tenants with bounded concurrency, running the provisioner's migrate or revert
 * in each one's schema or database, and once in the shared RLS tables (issue 12 item 8). A
 * failing tenant is reported and the walk goes on.
 */
@Injectable()
export class MigrationRunner {
  constructor(
    private readonly provisioner: TenantProvisioner,
    private readonly lifecycle: TenantLifecycle,
    private readonly rls: RlsSharedMigrations,
    @Inject(TENANCY_OPTIONS) private readonly options: ResolvedTenancyOptions,
  ) {}

  migrate(options: MigrationRunOptions = {}): Promise<MigrationReport> {
    return this.walk(options, {
      success: 'migrated',
      tenant: (t) => this.provisioner.migrate(t),
      shared: () => this.rls.migrate(),
    });
  }

  revert(options: MigrationRunOptions = {}): Promise<MigrationReport> {
    return this.walk(options, {
      success: 'reverted',
      tenant: (t) => this.provisioner.revert(t),
      shared: () => this.rls.revert(),
    });
  }

  /**
   * Synchronize mode (no migrations configured): brings existing tenants up to the entities
   * (the shared RLS tables once), refusing per tenant a change that would drop a column or table.
   * @throws TenancyConfigError when migrations are configured (they own the tables then).
   */
  async synchronize(options: MigrationRunOptions = {}): Promise<MigrationReport> {
    if (this.options.migrations.length > 0) {
      throw new TenancyConfigError(
        `${optionLabel('migrations')} is set: the migrations own the tenant tables, so synchronize (tenants:sync) ` +
          'would fight them. Run migrate:run (admin.migrate()) instead, or remove the option to synchronize.',
      );
    }
    return this.walk(options, {
      success: 'synchronized',
      tenant: (t) => this.provisioner.withTenantDataSource(t, synchronizeWithoutDrops),
      shared: () => this.rls.migrate(),
    });
  }

  async status(options: Pick<MigrationRunOptions, 'tenants' | 'concurrency'> = {}): Promise<TenantMigrationStatus[]> {
    const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    assertConcurrency(concurrency);
    const targets = await this.targets(options.tenants);
    return mapBounded(targets, concurrency, async (target) => {
      // Reported exactly as `migrate` reports it, never dropped.
      if ('missing' in target) return unknownTenant(target.name, target.missing);
      if ('shared' in target) return this.sharedStatus(target.shared);
      const { tenant } = target;
      const base = { tenant: tenant.identifier, status: tenant.status, isolationStrategy: tenant.isolationStrategy };
      try {
        return { ...base, ...(await this.provisioner.status(tenant)) };
      } catch (error) {
        return { ...base, applied: [], pending: [], error: messageOf(error) };
      }
    });
  }

  private targets(names: readonly string[] | undefined): Promise<MigrationTarget[]> {
    return migrationTargets(names, this.lifecycle, { sharedRls: this.rls.inUse });
  }

  private async sharedStatus(tenants: Tenant[]): Promise<TenantMigrationStatus> {
    const base = {
      tenant: SHARED_RLS_TARGET,
      tenants: tenants.map((t) => t.identifier),
      status: null,
      isolationStrategy: 'rls' as const,
    };
    try {
      return { ...base, ...(await this.rls.status()) };
    } catch (error) {
      return { ...base, applied: [], pending: [], error: messageOf(error) };
    }
  }

  private async walk(options: MigrationRunOptions, kind: RunKind): Promise<MigrationReport> {
    const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    assertConcurrency(concurrency);
    const targets = await this.targets(options.tenants);
    let done = 0;
    // Connections of their own, at most one per tenant migrated at once: requests keep the pool.
    const connections = Math.max(1, Math.min(concurrency, targets.length));
    const results = await this.provisioner.withMigrationConnections(connections, () =>
      mapBounded(targets, concurrency, async (target) => {
        const result = await this.runOne(target, kind);
        options.onProgress?.({ done: ++done, total: targets.length, result });
        return result;
      }),
    );
    return { results, failed: results.filter((r) => r.status === 'failed').length };
  }

  private async runOne(target: MigrationTarget, kind: RunKind): Promise<TenantMigrationResult> {
    const started = performance.now();
    const shared = 'shared' in target ? { tenants: target.shared.map((t) => t.identifier) } : {};
    const result = (status: TenantMigrationOutcome, applied: string[], error?: string): TenantMigrationResult => ({
      tenant: target.name,
      ...shared,
      status,
      applied,
      durationMs: Math.round(performance.now() - started),
      ...(error === undefined ? {} : { error }),
    });
    if ('missing' in target) return result('failed', [], target.missing);
    if ('tenant' in target && target.skip) return result('skipped', [], target.skip);
    try {
      const applied = 'shared' in target ? await kind.shared() : await kind.tenant(target.tenant);
      return result(kind.success, applied);
    } catch (error) {
      // Committed migrations stay reported: each one ran in its own transaction.
      if (error instanceof MigrationRunError)
        return { ...result('failed', error.applied, error.message), ...failedMigration(error) };
      return result('failed', [], messageOf(error));
    }
  }
}

function failedMigration(error: MigrationRunError): Pick<TenantMigrationResult, 'failedMigration'> {
  return error.migration === undefined ? {} : { failedMigration: error.migration };
}

function unknownTenant(name: string, error: string): TenantMigrationStatus {
  return { tenant: name, status: null, isolationStrategy: null, applied: [], pending: [], error };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
