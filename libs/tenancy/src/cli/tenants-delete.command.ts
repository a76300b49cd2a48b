import { Command, Option } from 'nest-commander';
import { TenantAdminService } from '../admin/tenant-admin.service';
import { CliOutput } from './cli-output';
import { confirmDestructive } from './confirmation.util';
import { TenancyCommand, type JsonOption } from './tenancy.command';

interface DeleteOptions extends JsonOption {
  hard?: boolean;
  yes?: boolean;
}

/**
 * `tenants:delete <id|identifier> [--hard [--yes]] [--json]`: soft delete, or drop the tenant's
 * storage and row (`--hard` asks on a terminal, and needs `--yes` elsewhere).
 */
@Command({
  name: 'tenants:delete',
  arguments: '<id>',
  description: 'delete a tenant (soft: status deleted, data kept; --hard: drop its storage and row)',
})
export class TenantsDeleteCommand extends TenancyCommand<DeleteOptions> {
  constructor(
    output: CliOutput,
    private readonly admin: TenantAdminService,
  ) {
    super(output);
  }

  protected async execute([id]: string[], options: DeleteOptions): Promise<void> {
    const tenant = await this.admin.get(id);
    if (options.hard)
      await confirmDestructive(
        `This drops the storage of tenant "${tenant.identifier}" (its schema or database, every row) and its record.`,
        options.yes === true,
      );
    await this.admin.delete(tenant.id, { hard: options.hard === true });
    const how = options.hard ? 'hard' : 'soft';
    if (options.json) return this.output.json({ id: tenant.id, identifier: tenant.identifier, deleted: how });
    this.output.line(
      `Deleted tenant ${tenant.identifier} (${how === 'hard' ? 'hard: storage dropped' : 'soft: data kept, identifier reserved'})`,
    );
  }

  @Option({ flags: '--hard', description: 'drop the schema or database (RLS: its rows) and the row' })
  parseHard(): boolean {
    return true;
  }

  @Option({ flags: '-y, --yes', description: 'confirm --hard without asking (required when not on a terminal)' })
  parseYes(): boolean {
    return true;
  }
}
