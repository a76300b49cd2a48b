// Turns segments into rows (medians, ratios with their spread, targets) and renders them.
import type { Case } from './scenarios';
import type { Segment } from './load';

export interface Row {
  id: string;
  label: string;
  rps?: number;
  /** Median of per-round ratios against `ref`, and their min–max. */
  ratio?: { median: number; min: number; max: number; ref: string };
  cpuUs?: number;
  /** Median of per-round app-CPU ratios (ref µs/req ÷ this µs/req): the throughput ratio if CPU-bound. */
  cpuRatio?: number;
  trips?: number;
  backends?: number;
  errors?: number;
  figure?: string;
  target?: string;
  pass?: boolean;
}

export const median = (xs: number[]): number => {
  const s = [...xs].filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const pick = (c: Case, f: (s: Segment) => number) => median(c.segments.map(f));

/** A row for `c`; with `ref`, the median of its per-round ratios (each against the reference segments around it). */
export function caseRow(id: string, c: Case, ref?: Case, target?: { min: number; text: string }): Row {
  const row: Row = {
    id,
    label: c.key,
    rps: pick(c, (s) => s.rps),
    cpuUs: pick(c, (s) => s.cpuUsPerReq),
    trips: pick(c, (s) => s.queriesPerReq),
    backends: Math.max(...c.segments.map((s) => s.peakBackends)),
    errors: c.segments.reduce((n, s) => n + s.errors, 0),
  };
  if (ref && ref !== c) {
    const ratios = c.ratios;
    row.ratio = { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios), ref: ref.key };
    row.cpuRatio = median(c.cpuRatios);
  }
  if (target) {
    row.target = target.text;
    row.pass = (row.ratio?.median ?? 0) >= target.min && row.errors === 0;
  }
  return row;
}

const f0 = (x?: number) => (x === undefined || !Number.isFinite(x) ? '' : x.toFixed(0));
const f2 = (x?: number) => (x === undefined || !Number.isFinite(x) ? '' : x.toFixed(2));
const verdict = (r: Row) => (r.pass === undefined ? '' : r.pass ? 'pass' : 'MISS');

const COLUMNS: Array<[string, (r: Row) => string]> = [
  ['id', (r) => r.id],
  ['case', (r) => r.label],
  ['req/s', (r) => f0(r.rps)],
  [
    'ratio (min–max)',
    (r) =>
      !r.ratio
        ? ''
        : r.ratio.min === r.ratio.max
          ? f2(r.ratio.median)
          : `${f2(r.ratio.median)} (${f2(r.ratio.min)}–${f2(r.ratio.max)})`,
  ],
  ['app CPU µs/req', (r) => f0(r.cpuUs)],
  ['CPU ratio', (r) => f2(r.cpuRatio)],
  ['round trips/req', (r) => f2(r.trips)],
  ['peak backends', (r) => (r.backends === undefined ? '' : String(r.backends))],
  ['errors', (r) => (r.errors === undefined ? '' : String(r.errors))],
  ['other', (r) => r.figure ?? ''],
  ['target', (r) => r.target ?? ''],
  ['result', verdict],
];

export function markdownTable(rows: Row[]): string {
  const lines = [`| ${COLUMNS.map(([h]) => h).join(' | ')} |`, `|${COLUMNS.map(() => '---').join('|')}|`];
  for (const r of rows) lines.push(`| ${COLUMNS.map(([, f]) => f(r)).join(' | ')} |`);
  return lines.join('\n');
}

export function textTable(rows: Row[]): string {
  const cells = [COLUMNS.map(([h]) => h), ...rows.map((r) => COLUMNS.map(([, f]) => f(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((c) => c[i].length)));
  return cells
    .map((c) =>
      c
        .map((v, i) => v.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
