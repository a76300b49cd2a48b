import { Command, Option } from 'nest-commander';
import type { MigrationReport, MigrationRunOptions } from '../admin/admin.types';
import { confirmDestructive } from './confirmation.util';
import { MigrationCommand, type MigrationCommandOptions } from './migration.command';

/**
 * `migrate:revert [--tenant x …] [--concurrency n] [--yes] [--json]`: reverts the last migration of
 * every tenant. Over more than one tenant it asks on a terminal, and needs `--yes` elsewhere.
 */
@Command({ name: 'migrate:revert', description: 'revert the last applied migration in every tenant' })
export class MigrateRevertCommand extends MigrationCommand {
  protected readonly label = 'revert';

  protected async execute(params: string[], options: MigrationCommandOptions & { yes?: boolean }): Promise<void> {
    if ((options.tenant?.length ?? 0) !== 1) {
      const which = options.tenant ? `${options.tenant.length} tenants` : 'every active and suspended tenant';
      await confirmDestructive(
        `This reverts the last migration of ${which} (down migrations may drop data).`,
        options.yes === true,
      );
    }
    return super.execute(params, options);
  }

  protected runMigrations(options: MigrationRunOptions): Promise<MigrationReport> {
    return this.admin.revertMigration(options);
  }

  @Option({ flags: '-y, --yes', description: 'confirm without asking (required when not on a terminal)' })
  parseYes(): boolean {
    return true;
  }
}
