import { Injectable } from '@nestjs/common';
import { MigrationRunError } from '../isolation/migration-run.error';
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
import { migrationTargets, type MigrationTarget } from './migration-targets';
import { TenantLifecycle } from './tenant-lifecycle';

const DEFAULT_CONCURRENCY = 4;

/**
 * @internal Walks tenants with bounded concurrency, running the provisioner's migrate or revert
 * in each one's schema or database. A failing tenant is reported and the walk goes on.
 */
@Injectable()
export class MigrationRunner {
  constructor(
    private readonly provisioner: TenantProvisioner,
    private readonly lifecycle: TenantLifecycle,
  ) {}

  migrate(options: MigrationRunOptions = {}): Promise<MigrationReport> {
    return this.walk(options, 'migrated', (t) => this.provisioner.migrate(t));
  }

  revert(options: MigrationRunOptions = {}): Promise<MigrationReport> {
    return this.walk(options, 'reverted', (t) => this.provisioner.revert(t));
  }

  async status(options: Pick<MigrationRunOptions, 'tenants' | 'concurrency'> = {}): Promise<TenantMigrationStatus[]> {
    const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    assertConcurrency(concurrency);
    const targets = await migrationTargets(options.tenants, this.lifecycle);
    return mapBounded(targets, concurrency, async (target) => {
      // Reported exactly as `migrate` reports it, never dropped.
      if ('missing' in target) return unknownTenant(target.name, target.missing);
      const { tenant } = target;
      const base = { tenant: tenant.identifier, status: tenant.status, isolationStrategy: tenant.isolationStrategy };
      try {
        return { ...base, ...(await this.provisioner.status(tenant)) };
      } catch (error) {
        return { ...base, applied: [], pending: [], error: messageOf(error) };
      }
    });
  }

  private async walk(
    options: MigrationRunOptions,
    success: TenantMigrationOutcome,
    run: (tenant: Tenant) => Promise<string[]>,
  ): Promise<MigrationReport> {
    const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    assertConcurrency(concurrency);
    const targets = await migrationTargets(options.tenants, this.lifecycle);
    let done = 0;
    // Connections of their own, at most one per tenant migrated at once: requests keep the pool.
    const connections = Math.max(1, Math.min(concurrency, targets.length));
    const results = await this.provisioner.withMigrationConnections(connections, () =>
      mapBounded(targets, concurrency, async (target) => {
        const result = await this.runOne(target, success, run);
        options.onProgress?.({ done: ++done, total: targets.length, result });
        return result;
      }),
    );
    return { results, failed: results.filter((r) => r.status === 'failed').length };
  }

  private async runOne(
    target: MigrationTarget,
    success: TenantMigrationOutcome,
    run: (tenant: Tenant) => Promise<string[]>,
  ): Promise<TenantMigrationResult> {
    const started = performance.now();
    const result = (status: TenantMigrationOutcome, applied: string[], error?: string): TenantMigrationResult => ({
      tenant: target.name,
      status,
      applied,
      durationMs: Math.round(performance.now() - started),
      ...(error === undefined ? {} : { error }),
    });
    if ('missing' in target) return result('failed', [], target.missing);
    if (target.skip) return result('skipped', [], target.skip);
    try {
      return result(success, await run(target.tenant));
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
