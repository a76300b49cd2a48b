import { Command, Option } from 'nest-commander';
import { TenantAdminService } from '../admin/tenant-admin.service';
import { CliOutput } from './cli-output';
import { TenancyCommand, type JsonOption } from './tenancy.command';

interface DeleteOptions extends JsonOption {
  hard?: boolean;
}

/** `tenants:delete <id|identifier> [--hard] [--json]`: soft delete, or drop the tenant's storage and row. */
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
}
