import { TenancyError } from '../errors/tenancy.error';
import type { Tenant } from '../models/tenant.model';

/** @internal What the CLI prints of a tenant: never `databaseUrl` or `metadata` (secrets). */
export function tenantSummary(t: Tenant): Record<string, string> {
  return {
    id: t.id,
    identifier: t.identifier,
    name: t.name,
    status: t.status,
    isolationStrategy: t.isolationStrategy,
    tier: t.tier,
    createdAt: t.createdAt.toISOString(),
  };
}

/** @internal Rows as space-aligned columns, headers first. */
export function formatTable(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const format = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [format(headers), ...rows.map(format)];
}

/** @internal A whole number ≥ `min` from a CLI flag, or a message naming the flag. */
export function parseWholeNumber(value: string | number | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new TenancyError(`${flag} must be a whole number of at least ${min} (got ${JSON.stringify(String(value))})`);
  return n;
}
