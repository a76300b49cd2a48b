import { Command } from 'nest-commander';
import type { MigrationReport, MigrationRunOptions } from '../admin/admin.types';
import { MigrationCommand } from './migration.command';

/**
 * `tenants:sync [--tenant x …] [--concurrency n] [--json]`: synchronize mode (no migrations
 * configured) brings existing tenants' tables up to the entities. Refused when migrations are
 * configured; a change that would drop a column or table fails that tenant, changing nothing.
 */
@Command({
  name: 'tenants:sync',
  description: 'bring existing tenants up to the entities (synchronize mode: no migrations configured)',
})
export class TenantsSyncCommand extends MigrationCommand {
  protected readonly label = 'sync';

  protected runMigrations(options: MigrationRunOptions): Promise<MigrationReport> {
    return this.admin.synchronize(options);
  }
}
