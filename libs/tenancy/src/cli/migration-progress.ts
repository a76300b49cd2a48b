import { SingleBar } from 'cli-progress';
import type { MigrationProgress, MigrationReport, TenantMigrationResult } from '../admin/admin.types';
import type { CliOutput } from './cli-output';

const MARK: Record<TenantMigrationResult['status'], string> = {
  migrated: 'ok',
  reverted: 'ok',
  synchronized: 'ok',
  skipped: '--',
  failed: 'FAILED',
};

const DONE: Record<string, string> = { revert: 'reverted', sync: 'synchronized' };

/**
 * @internal Shows a migration run as it goes: JSON lines with `json`, a progress bar when stderr
 * is a TTY, otherwise one text line per tenant. `finish` prints the summary (and every failure).
 */
export class MigrationProgressView {
  private bar?: SingleBar;
  private failed = 0;

  constructor(
    private readonly output: CliOutput,
    private readonly json: boolean,
    private readonly label: string,
  ) {}

  readonly onProgress = (progress: MigrationProgress): void => {
    const { result } = progress;
    if (result.status === 'failed') this.failed++;
    if (this.json) return this.output.json(result);
    const stream = this.output.progressStream;
    if (!stream) return this.output.line(describeResult(result));
    this.bar ??= this.startBar(stream, progress.total);
    this.bar.update(progress.done, { tenant: result.tenant, failed: this.failed });
  };

  finish(report: MigrationReport): void {
    this.bar?.stop();
    const count = (status: string) => report.results.filter((r) => r.status === status).length;
    const done = DONE[this.label] ?? 'migrated';
    const shared = report.results.find((r) => r.tenants !== undefined);
    const summary = {
      [done]: count(done),
      failed: report.failed,
      skipped: count('skipped'),
      total: report.results.length,
      ...(shared ? { sharedRlsTenants: shared.tenants!.length } : {}),
    };
    if (this.json) return this.output.json({ summary });
    if (this.bar)
      report.results.filter((r) => r.status === 'failed').forEach((r) => this.output.line(describeResult(r)));
    // The shared RLS tables are one line however many RLS tenants they hold: say so.
    const scope = shared
      ? `${summary.total - 1} tenants + shared RLS tables: ${shared.tenants!.length} tenants`
      : `${summary.total} tenants`;
    this.output.line(`${count(done)} ${done}, ${summary.failed} failed, ${summary.skipped} skipped (${scope})`);
  }

  private startBar(stream: NodeJS.WriteStream, total: number): SingleBar {
    const bar = new SingleBar({
      stream,
      format: `${this.label} [{bar}] {value}/{total} tenants | {failed} failed | {tenant}`,
      hideCursor: true,
      clearOnComplete: false,
    });
    bar.start(total, 0, { tenant: '', failed: 0 });
    return bar;
  }
}

function describeResult(r: TenantMigrationResult): string {
  const detail = r.error ?? (r.applied.length ? r.applied.join(', ') : 'nothing to do');
  return `${MARK[r.status].padEnd(6)} ${targetLabel(r)}: ${r.status} (${r.durationMs} ms) ${detail}`;
}

/** `acme`, or `shared RLS tables (3 tenants)`. */
export function targetLabel(r: { tenant: string; tenants?: readonly string[] }): string {
  return r.tenants ? `${r.tenant} (${r.tenants.length} tenants)` : r.tenant;
}
