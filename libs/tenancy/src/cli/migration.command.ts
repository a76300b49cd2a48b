import { Injectable } from '@nestjs/common';
import { Option } from 'nest-commander';
import type { MigrationReport, MigrationRunOptions } from '../admin/admin.types';
import { TenantAdminService } from '../admin/tenant-admin.service';
import { CliOutput } from './cli-output';
import { MigrationProgressView } from './migration-progress';
import { TenancyCommand, type JsonOption } from './tenancy.command';
import { parseWholeNumber } from './tenant-summary.util';
import { collectTenants } from './tenant-option.util';

/** Options of `migrate:run` and `migrate:revert`. */
export interface MigrationCommandOptions extends JsonOption {
  tenant?: string[];
  concurrency?: string;
}

/**
 * @internal Shared by `migrate:run` and `migrate:revert`: `--tenant x [y …]` (repeatable, or
 * comma-separated), `--concurrency n`, `--json`; progress as it goes; exit code 1 when any
 * tenant failed.
 */
@Injectable() // emits the constructor's parameter types, which the commands inherit
export abstract class MigrationCommand extends TenancyCommand<MigrationCommandOptions> {
  constructor(
    output: CliOutput,
    protected readonly admin: TenantAdminService,
  ) {
    super(output);
  }

  /** `migrate` or `revert` (the progress label). */
  protected abstract readonly label: string;
  protected abstract runMigrations(options: MigrationRunOptions): Promise<MigrationReport>;

  protected async execute(_params: string[], options: MigrationCommandOptions): Promise<void> {
    const view = new MigrationProgressView(this.output, options.json === true, this.label);
    const report = await this.runMigrations({
      tenants: options.tenant,
      concurrency: parseWholeNumber(options.concurrency, '--concurrency', 1),
      onProgress: view.onProgress,
    });
    view.finish(report);
    if (report.failed > 0) process.exitCode = 1;
  }

  @Option({
    flags: '-t, --tenant <identifier...>',
    description: 'only these tenants (repeatable; default: every active and suspended tenant)',
  })
  parseTenant(value: string, previous: string[] = []): string[] {
    return collectTenants(value, previous);
  }

  @Option({ flags: '-c, --concurrency <n>', description: 'tenants migrated at once (default 4)' })
  parseConcurrency(value: string): string {
    return value;
  }
}
