import { Command } from 'nest-commander';
import { TenantAdminService } from '../admin/tenant-admin.service';
import { CliOutput } from './cli-output';
import { TenancyCommand, type JsonOption } from './tenancy.command';
import { tenantSummary } from './tenant-summary.util';

/** `tenants:activate <id|identifier> [--json]`: serves a suspended tenant again, or restores a soft-deleted one. */
@Command({
  name: 'tenants:activate',
  arguments: '<id>',
  description: 'activate a suspended or soft-deleted tenant (by id or identifier)',
})
export class TenantsActivateCommand extends TenancyCommand {
  constructor(
    output: CliOutput,
    private readonly admin: TenantAdminService,
  ) {
    super(output);
  }

  protected async execute([id]: string[], options: JsonOption): Promise<void> {
    const tenant = await this.admin.activate(id);
    if (options.json) return this.output.json(tenantSummary(tenant));
    this.output.line(`Activated tenant ${tenant.identifier}`);
  }
}
