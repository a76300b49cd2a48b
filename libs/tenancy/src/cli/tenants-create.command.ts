import { Command, Option } from 'nest-commander';
import { TenantAdminService } from '../admin/tenant-admin.service';
import { CliOutput } from './cli-output';
import { TenancyCommand, type JsonOption } from './tenancy.command';
import { tenantSummary } from './tenant-summary.util';

interface CreateOptions extends JsonOption {
  name: string;
  tier?: string;
  adopt?: boolean;
}

/**
 * `tenants:create <identifier> --name <name> [--tier t] [--adopt] [--json]`: registers and provisions
 * a tenant. `--adopt` takes a schema or database that already holds objects (refused otherwise).
 */
@Command({
  name: 'tenants:create',
  arguments: '<identifier>',
  description: 'register a tenant (creates its schema or database and runs migrations)',
})
export class TenantsCreateCommand extends TenancyCommand<CreateOptions> {
  constructor(
    output: CliOutput,
    private readonly admin: TenantAdminService,
  ) {
    super(output);
  }

  protected async execute([identifier]: string[], options: CreateOptions): Promise<void> {
    const tenant = await this.admin.register({
      identifier,
      name: options.name,
      tier: options.tier,
      adoptExistingStorage: options.adopt === true,
    });
    if (options.json) return this.output.json(tenantSummary(tenant));
    this.output.line(
      `Created tenant ${tenant.identifier} (${tenant.isolationStrategy}, ${tenant.status}): ${tenant.id}`,
    );
  }

  @Option({ flags: '--name <name>', description: 'display name', required: true })
  parseName(value: string): string {
    return value;
  }

  @Option({ flags: '--adopt', description: 'take existing, non-empty storage (a leftover schema or database)' })
  parseAdopt(): boolean {
    return true;
  }

  @Option({ flags: '--tier <tier>', description: 'customer tier (premium: the premium strategy under hybrid)' })
  parseTier(value: string): string {
    return value;
  }
}
