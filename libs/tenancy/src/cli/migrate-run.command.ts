import { Command } from 'nest-commander';
import type { MigrationReport, MigrationRunOptions } from '../admin/admin.types';
import { MigrationCommand } from './migration.command';

/** `migrate:run [--tenant x …] [--concurrency n] [--json]`: runs pending migrations in every tenant. */
@Command({ name: 'migrate:run', description: 'run pending migrations in every tenant schema or database' })
export class MigrateRunCommand extends MigrationCommand {
  protected readonly label = 'migrate';

  protected runMigrations(options: MigrationRunOptions): Promise<MigrationReport> {
    return this.admin.migrate(options);
  }
}
