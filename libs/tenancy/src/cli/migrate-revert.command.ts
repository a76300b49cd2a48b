import { Command, Option } from 'nest-commander';
import type { MigrationReport, MigrationRunOptions } from '../admin/admin.types';
import { confirmDestructive } from './confirmation.util';
import { MigrationCommand, type MigrationCommandOptions } from './migration.command';

/**
 * `migrate:revert [--tenant x …] [--concurrency n] [--yes] [--json]`: reverts the last migration of
 * every tenant, and once of the shared RLS tables. Over more than one tenant (or the shared RLS
 * tables) it asks on a terminal, and needs `--yes` elsewhere.
 */
@Command({ name: 'migrate:revert', description: 'revert the last applied migration in every tenant' })
export class MigrateRevertCommand extends MigrationCommand {
  protected readonly label = 'revert';

  protected async execute(params: string[], options: MigrationCommandOptions & { yes?: boolean }): Promise<void> {
    const which = await this.scope(options.tenant);
    if (which) {
      await confirmDestructive(
        `This reverts the last migration of ${which} (down migrations may drop data).`,
        options.yes === true,
      );
    }
    return super.execute(params, options);
  }

  /** What a revert over `tenants` reaches when that is more than one tenant's storage. */
  private async scope(tenants: string[] | undefined): Promise<string | undefined> {
    if (!tenants) return 'every active and suspended tenant (and the shared RLS tables, if any)';
    if (tenants.length !== 1) return `${tenants.length} tenants`;
    const one = await this.admin.get(tenants[0]).catch(() => undefined);
    // One RLS tenant's revert is the shared tables' revert: every RLS tenant's (issue 12 item 8).
    return one?.isolationStrategy === 'rls' ? 'the shared RLS tables, which every RLS tenant uses' : undefined;
  }

  protected runMigrations(options: MigrationRunOptions): Promise<MigrationReport> {
    return this.admin.revertMigration(options);
  }

  @Option({ flags: '-y, --yes', description: 'confirm without asking (required when not on a terminal)' })
  parseYes(): boolean {
    return true;
  }
}
