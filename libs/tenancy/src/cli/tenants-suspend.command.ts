import { Command } from 'nest-commander';
import { TenantAdminService } from '../admin/tenant-admin.service';
import { CliOutput } from './cli-output';
import { TenancyCommand, type JsonOption } from './tenancy.command';
import { tenantSummary } from './tenant-summary.util';

/** `tenants:suspend <id|identifier> [--json]`: stops serving a tenant, keeping its data. */
@Command({ name: 'tenants:suspend', arguments: '<id>', description: 'suspend a tenant (by id or identifier)' })
export class TenantsSuspendCommand extends TenancyCommand {
  constructor(
    output: CliOutput,
    private readonly admin: TenantAdminService,
  ) {
    super(output);
  }

  protected async execute([id]: string[], options: JsonOption): Promise<void> {
    const tenant = await this.admin.suspend(id);
    if (options.json) return this.output.json(tenantSummary(tenant));
    this.output.line(`Suspended tenant ${tenant.identifier}`);
  }
}
