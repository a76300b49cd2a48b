import { Command, Option } from 'nest-commander';
import { TenantAdminService } from '../admin/tenant-admin.service';
import { TenancyError } from '../errors/tenancy.error';
import { TENANT_STATUSES, type TenantStatus } from '../models/tenant.model';
import { CliOutput } from './cli-output';
import { TenancyCommand, type JsonOption } from './tenancy.command';
import { formatTable, parseWholeNumber, tenantSummary } from './tenant-summary.util';

interface ListOptions extends JsonOption {
  status?: string;
  limit?: string;
  offset?: string;
}

/** `tenants:list [--status s] [--limit n] [--offset n] [--json]`: one line per tenant. */
@Command({ name: 'tenants:list', description: 'list tenants' })
export class TenantsListCommand extends TenancyCommand<ListOptions> {
  constructor(
    output: CliOutput,
    private readonly admin: TenantAdminService,
  ) {
    super(output);
  }

  protected async execute(_params: string[], options: ListOptions): Promise<void> {
    if (options.status !== undefined && !TENANT_STATUSES.includes(options.status as TenantStatus)) {
      throw new TenancyError(`--status must be one of ${TENANT_STATUSES.join(', ')}`);
    }
    const tenants = await this.admin.list({
      status: options.status as TenantStatus | undefined,
      limit: parseWholeNumber(options.limit, '--limit', 0),
      offset: parseWholeNumber(options.offset, '--offset', 0),
    });
    if (options.json) return tenants.forEach((t) => this.output.json(tenantSummary(t)));
    if (tenants.length === 0) return this.output.line('No tenants.');
    const rows = tenants.map((t) => [t.identifier, t.status, t.isolationStrategy, t.tier, t.id, t.name]);
    formatTable(['IDENTIFIER', 'STATUS', 'STRATEGY', 'TIER', 'ID', 'NAME'], rows).forEach((l) => this.output.line(l));
  }

  @Option({ flags: '--status <status>', description: `only tenants in this status (${TENANT_STATUSES.join(', ')})` })
  parseStatus(value: string): string {
    return value;
  }

  @Option({ flags: '--limit <n>', description: 'at most n tenants' })
  parseLimit(value: string): string {
    return value;
  }

  @Option({ flags: '--offset <n>', description: 'skip the first n tenants' })
  parseOffset(value: string): string {
    return value;
  }
}
