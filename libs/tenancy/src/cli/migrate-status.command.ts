import { Command, Option } from 'nest-commander';
import { TenantAdminService } from '../admin/tenant-admin.service';
import { CliOutput } from './cli-output';
import { TenancyCommand, type JsonOption } from './tenancy.command';
import { formatTable } from './tenant-summary.util';
import { collectTenants } from './tenant-option.util';
import { targetLabel } from './migration-progress';

interface StatusOptions extends JsonOption {
  tenant?: string[];
}

/**
 * `migrate:status [--tenant x …] [--json]`: applied and pending migrations of each tenant, and
 * once of the shared RLS tables (`shared RLS tables (N tenants)`). A name
 * no tenant has is a line with its error, and the exit code is 1 (as with `migrate:run`).
 */
@Command({ name: 'migrate:status', description: 'show applied and pending migrations of every tenant' })
export class MigrateStatusCommand extends TenancyCommand<StatusOptions> {
  constructor(
    output: CliOutput,
    private readonly admin: TenantAdminService,
  ) {
    super(output);
  }

  protected async execute(_params: string[], options: StatusOptions): Promise<void> {
    const states = await this.admin.migrationStatus({ tenants: options.tenant });
    if (states.some((s) => s.error)) process.exitCode = 1;
    if (options.json) return states.forEach((s) => this.output.json(s));
    if (states.length === 0) return this.output.line('No tenants.');
    const rows = states.map((s) => [
      targetLabel(s),
      s.isolationStrategy ?? '-',
      String(s.applied.length),
      s.error ? `ERROR ${s.error}` : s.pending.join(', ') || '-',
    ]);
    formatTable(['TENANT', 'STRATEGY', 'APPLIED', 'PENDING'], rows).forEach((l) => this.output.line(l));
  }

  @Option({ flags: '-t, --tenant <identifier...>', description: 'only these tenants (repeatable)' })
  parseTenant(value: string, previous: string[] = []): string[] {
    return collectTenants(value, previous);
  }
}
