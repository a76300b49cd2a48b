// Rows per scenario (targets from issue 7) and the RESULTS.md document.
import { execSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { B4Result } from './b4-provision';
import type { B5Result } from './b5-guard';
import { caseRow, markdownTable, median, type Row } from './report';
import type { B2Out, BenchConfig, Case } from './scenarios';

const MB = 1024 * 1024;
const byKey = (cases: Case[], key: string) => cases.find((c) => c.key === key)!;

/** B1 (Express) or B6 (Fastify): each strategy against the baseline of the same method and adapter. */
export function b1Rows(id: string, cases: Case[], suffix: string): Row[] {
  const rows: Row[] = [];
  for (const method of ['GET', 'POST']) {
    const base = cases.find((c) => c.key === `${method} baseline${suffix}`);
    if (!base) continue;
    rows.push(caseRow(id, base));
    for (const [name, min] of [
      ['schema', 0.9],
      ['rls', 0.9],
      ['database', 0.85],
      ['request-scope', 0],
      ['schema-sketch', 0],
      ['rls-sketch', 0],
    ] as const) {
      const c = cases.find((x) => x.key === `${method} ${name}${suffix}`);
      if (!c) continue;
      rows.push(caseRow(id, c, base, min ? { min, text: `≥ ${min.toFixed(2)}` } : undefined));
      if (!min) rows[rows.length - 1].figure = name.endsWith('sketch') ? 'reference sketch (B7)' : 'context only';
    }
    for (const c of cases.filter((x) => x.key.startsWith(`${method} baseline+`))) {
      rows.push({ ...caseRow(id, c, base), figure: 'diagnostic: baseline plus this plumbing only' });
    }
  }
  return rows;
}

/**
 * B7: the library against issue 13's hand-written sketch of the same strategy, in app CPU per
 * request (both bracketed by the same baseline in the same rounds): per round library ÷ sketch.
 */
export function b7Rows(cases: Case[], suffix: string): Row[] {
  const rows: Row[] = [];
  for (const method of ['GET', 'POST']) {
    const base = cases.find((c) => c.key === `${method} baseline${suffix}`);
    if (!base) continue;
    for (const strategy of ['schema', 'rls']) {
      const lib = cases.find((c) => c.key === `${method} ${strategy}${suffix}`);
      const sketch = cases.find((c) => c.key === `${method} ${strategy}-sketch${suffix}`);
      if (!lib || !sketch) continue;
      const perRound = lib.segments.map((s, i) => s.cpuUsPerReq / sketch.segments[i]?.cpuUsPerReq);
      const cpu = (c: Case) => median(c.segments.map((s) => s.cpuUsPerReq));
      const extra = (c: Case) => (cpu(c) - cpu(base)).toFixed(0);
      const ratio = median(perRound);
      rows.push({
        id: 'B7',
        label: `${method} ${strategy}${suffix} vs its sketch`,
        ratio: { median: ratio, min: Math.min(...perRound), max: Math.max(...perRound), ref: sketch.key },
        cpuUs: cpu(lib),
        figure: `app CPU over baseline: library +${extra(lib)} µs, sketch +${extra(sketch)} µs (ratio = library ÷ sketch CPU/req)`,
        target: 'library ≤ sketch (ratio ≤ 1.00)',
        pass: ratio <= 1,
      });
    }
  }
  return rows;
}

export function b2Rows(out: B2Out, cfg: BenchConfig): Row[] {
  const rows: Row[] = [];
  for (const strategy of ['schema', 'rls']) {
    const narrow = byKey(out.cases, `${strategy} x10`);
    const wide = byKey(out.cases, `${strategy} x${cfg.b2Tenants}`);
    const { before, after } = out.memory[strategy];
    const growth = (after.rss - before.rss) / MB;
    const row = caseRow('B2', wide, narrow);
    row.figure = `after GC: RSS +${growth.toFixed(1)} MB, heap +${((after.heapUsed - before.heapUsed) / MB).toFixed(1)} MB`;
    row.target = `≥ 0.85; backends ≤ ${cfg.poolSize}; RSS ≤ +64 MB`;
    row.pass =
      (row.ratio?.median ?? 0) >= 0.85 &&
      (row.backends ?? Infinity) <= cfg.poolSize &&
      growth <= 64 &&
      row.errors === 0;
    rows.push(caseRow('B2', narrow), row);
  }
  const l1 = out.cases.find((c) => c.key.includes('default L1'));
  if (l1) rows.push({ ...caseRow('B2', l1, l1.ref), figure: 'context: l1CacheMaxSize left at its default' });
  return rows;
}

export function b3Rows(cases: Case[], cfg: BenchConfig): Row[] {
  const [inside, outside] = cases;
  return [caseRow('B3', inside), caseRow('B3', outside, inside)].map((row, i) => {
    const peak = Math.max(...cases[i].segments.map((s) => s.peakTenantDbBackends));
    row.figure = `tenant-DB connections ${peak}`;
    row.target = `≤ ${cfg.b3MaxCached} × pool 1; no errors`;
    row.pass = peak <= cfg.b3MaxCached && row.errors === 0;
    return row;
  });
}

export function b4Rows(r: B4Result): Row[] {
  const row = (label: string, x: B4Result['register'], note: string): Row => {
    const ratio = x.libMs / x.rawMs;
    return {
      id: 'B4',
      label,
      ratio: { median: ratio, min: ratio, max: ratio, ref: 'raw SQL' },
      trips: x.libRoundTrips,
      figure: `lib ${(x.libMs / 1000).toFixed(1)} s vs raw ${(x.rawMs / 1000).toFixed(1)} s; ${x.libRoundTrips.toFixed(1)} vs ${x.rawRoundTrips.toFixed(1)} statements/tenant${note}`,
      target: '≤ 1.5 (time)',
      pass: ratio <= 1.5,
    };
  };
  return [
    row(`register ${r.tenants} schema tenants`, r.register, ''),
    row(`1 new migration x${r.tenants}`, r.migrate, `; concurrency ${r.migrate.concurrency}`),
  ];
}

export function b5Rows(r: B5Result): Row[] {
  return [
    {
      id: 'B5',
      label: 'scope + guard (header, L1 hit)',
      figure: `${r.pathUs.toFixed(2)} µs/req, best of 7 batches (guard ${r.guardUs.toFixed(2)}, L1 peek ${r.peekUs.toFixed(2)}, await floor ${r.floorUs.toFixed(2)})`,
      target: '≤ 5 µs',
      pass: r.pathUs <= 5,
    },
  ];
}

/** Round trips per request per variant, from B1 (the baseline's count is the floor). */
export function roundTripTable(cases: Case[]): string {
  const names = ['baseline', 'schema', 'rls', 'database', 'request-scope', 'schema-sketch', 'rls-sketch'];
  const trips = (method: string, name: string) => {
    const c = cases.find((x) => x.key === `${method} ${name}`);
    return c ? caseRow('', c).trips!.toFixed(2) : '';
  };
  return [
    '| variant | GET /orders | POST /orders |',
    '|---|---|---|',
    ...names.map((n) => `| ${n} | ${trips('GET', n)} | ${trips('POST', n)} |`),
  ].join('\n');
}

export function machine(pgVersion: string, nodeVersion = process.version): string[] {
  const cpus = os.cpus();
  const git = (cmd: string) => {
    try {
      return execSync(cmd, { cwd: join(__dirname, '..'), stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
    } catch {
      return '?';
    }
  };
  const dirty = git('git status --porcelain -- libs') ? ' (libs/ has uncommitted changes)' : '';
  return [
    `- date: ${new Date().toISOString()}`,
    `- commit: ${git('git rev-parse HEAD')}${dirty}`,
    `- CPU: ${cpus.length} × ${cpus[0]?.model ?? '?'} (${cpus[0]?.speed ?? '?'} MHz); RAM ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB`,
    `- Node ${nodeVersion} (children; parent ${process.version}) on ${os.type()} ${os.release()}; ${pgVersion}`,
  ];
}

export interface Document {
  cfg: BenchConfig;
  machine: string[];
  load: string;
  rows: Row[];
  b1Cases: Case[];
  notes: string[];
}

export function resultsMarkdown(d: Document): string {
  const analysis = join(__dirname, 'ANALYSIS.md');
  const { cfg } = d;
  return [
    '# Benchmark results (issue 7)',
    '',
    cfg.quick
      ? '> **QUICK RUN** (`--quick`): short segments and fewer tenants; a smoke test of the harness, not the figures of record.\n'
      : '',
    'Generated by `npm run bench`. Each variant is its own Nest app in its own process; autocannon',
    'loads it from the parent over loopback. In every round each case is bracketed by its reference',
    '(A X A Y A ..., reversed every other round), and its ratio compares it with the mean of the two',
    'reference segments run just before and after it; the figure is the median of the per-round',
    'ratios, with the spread (min–max) beside it. In a full run a case idle for over 5 s first gets a',
    'short unmeasured run. "app CPU µs/req" is the child\'s `process.cpuUsage()` over the segment divided',
    'by the requests served: steadier than req/s on a shared machine. "CPU ratio" is the',
    "reference's app CPU per request divided by this case's (median over rounds): the",
    'throughput ratio the app would reach if it were the only thing running (it is CPU-bound).',
    '',
    ...d.machine,
    `- load average (1/5/15 min): ${d.load}`,
    `- ${cfg.rounds} rounds × ${cfg.seconds} s per case, ${cfg.connections} connections, poolSize ${cfg.poolSize}; ` +
      `B2 ${cfg.b2Tenants} tenants, B3 ${cfg.b3Databases} databases (hot set ${cfg.b3Hot}), B4 ${cfg.b4Tenants} tenants`,
    '',
    markdownTable(d.rows),
    '',
    '## Round trips per request (B1, counted at the pg driver)',
    '',
    roundTripTable(d.b1Cases),
    '',
    ...(d.notes.length ? ['## Notes from this run', '', ...d.notes.map((n) => `- ${n}`), ''] : []),
    existsSync(analysis) ? readFileSync(analysis, 'utf8') : '',
  ].join('\n');
}
