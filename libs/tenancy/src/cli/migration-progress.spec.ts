import { PassThrough } from 'node:stream';
import type { MigrationReport, TenantMigrationResult } from '../admin/admin.types';
import type { CliOutput } from './cli-output';
import { MigrationProgressView } from './migration-progress';

function capture(tty?: NodeJS.WriteStream) {
  const out: string[] = [];
  const output = {
    line: (l: string) => out.push(l),
    json: (v: unknown) => out.push(JSON.stringify(v)),
    error: () => undefined,
    progressStream: tty,
  } as unknown as CliOutput;
  return { out, output };
}

const ok: TenantMigrationResult = { tenant: 'a', status: 'migrated', applied: ['M1'], durationMs: 5 };
const bad: TenantMigrationResult = { tenant: 'b', status: 'failed', applied: [], durationMs: 7, error: 'boom' };
const skipped: TenantMigrationResult = { tenant: 'c', status: 'skipped', applied: [], durationMs: 0, error: 'RLS' };
const report: MigrationReport = { results: [ok, bad, skipped], failed: 1 };

function play(view: MigrationProgressView): void {
  report.results.forEach((result, i) => view.onProgress({ done: i + 1, total: 3, result }));
  view.finish(report);
}

describe('MigrationProgressView', () => {
  it('--json: one JSON line per tenant, then a summary line', () => {
    const { out, output } = capture();
    play(new MigrationProgressView(output, true, 'migrate'));
    expect(out.map((l) => JSON.parse(l))).toEqual([
      ok,
      bad,
      skipped,
      { summary: { migrated: 1, failed: 1, skipped: 1, total: 3 } },
    ]);
  });

  it('no TTY: one text line per tenant, then the summary', () => {
    const { out, output } = capture();
    play(new MigrationProgressView(output, false, 'revert'));
    expect(out).toEqual([
      'ok     a: migrated (5 ms) M1',
      'FAILED b: failed (7 ms) boom',
      '--     c: skipped (0 ms) RLS',
      '0 reverted, 1 failed, 1 skipped (3 tenants)',
    ]);
  });

  it('TTY: draws a bar on the stream, then lists failures and the summary', () => {
    const stream = Object.assign(new PassThrough(), {
      isTTY: true,
      columns: 100,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    }) as unknown as NodeJS.WriteStream;
    let drawn = '';
    (stream as unknown as PassThrough).on('data', (d: Buffer) => (drawn += d.toString()));
    const { out, output } = capture(stream);
    play(new MigrationProgressView(output, false, 'migrate'));
    expect(out).toEqual(['FAILED b: failed (7 ms) boom', '1 migrated, 1 failed, 1 skipped (3 tenants)']);
    expect(drawn).toMatch(/migrate \[.*\] 3\/3 tenants \| 1 failed/);
  });
});
