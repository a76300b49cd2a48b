import { Command } from 'nest-commander';
import type { MigrationReport, MigrationRunOptions } from '../admin/admin.types';
import { MigrationCommand } from './migration.command';

/** `migrate:revert [--tenant x …] [--concurrency n] [--json]`: reverts the last migration of every tenant. */
@Command({ name: 'migrate:revert', description: 'revert the last applied migration in every tenant' })
export class MigrateRevertCommand extends MigrationCommand {
  protected readonly label = 'revert';

  protected runMigrations(options: MigrationRunOptions): Promise<MigrationReport> {
    return this.admin.revertMigration(options);
  }
}
