// Summarizes a child's .cpuprofile (from `npm run bench -- --profile`): self time by package
// and the hottest functions, so a miss can be explained with numbers.
// Usage: node -r ./tools/register.js bench/profile-summary.ts bench/.raw/profiles/schema.cpuprofile [top]
import { existsSync, readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const CATEGORIES: Array<[RegExp, string]> = [
  [/libs\/tenancy\/src/, 'nestjs-tenancy'],
  [/bench\//, 'bench app'],
  [/node_modules\/typeorm\//, 'typeorm'],
  [/node_modules\/(pg|pg-[a-z-]+|pgpass|postgres-[a-z-]+)\//, 'pg driver'],
  [/node_modules\/@nestjs\/core\//, '@nestjs/core'],
  [/node_modules\/@nestjs\//, '@nestjs (other)'],
  [
    /node_modules\/(express|body-parser|router|send|finalhandler|qs|raw-body|iconv-lite|type-is|content-type|on-finished|mime-[a-z]+|debug|path-to-regexp)\//,
    'express',
  ],
  [/node_modules\/(fastify|@fastify|find-my-way|light-my-request|avvio|pino|fast-json-stringify)/, 'fastify'],
  [/node_modules\/(rxjs|tslib)\//, 'rxjs'],
  [/node_modules\/(reflect-metadata|lru-cache|uuid|class-[a-z]+)\//, 'other deps'],
  [/node_modules\/@swc|node:internal\/modules|tools\/register/, 'boot (compile, require)'],
  [/async_hooks/, 'async_hooks (AsyncLocalStorage)'],
  [/^node:|^internal\/|^$/, 'node core / native'],
];

function category(node: Node): string {
  const { url, functionName } = node.callFrame;
  if (functionName === '(idle)' || functionName === '(program)' || functionName === '(garbage collector)')
    return functionName;
  return CATEGORIES.find(([re]) => re.test(url))?.[1] ?? 'other';
}

export function summarize(file: string, top = 25): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const cats = new Map<string, number>();
  const fns = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of self) {
    const node = byId.get(id)!;
    const cat = category(node);
    cats.set(cat, (cats.get(cat) ?? 0) + us);
    if (cat === '(idle)') continue;
    busy += us;
    const where = node.callFrame.url.replace(/^.*\/(node_modules|libs|bench)\//, '$1/');
    const key = `${node.callFrame.functionName || '(anonymous)'} ${where}:${node.callFrame.lineNumber + 1}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
  }
  const sidecar = file.replace(/\.cpuprofile$/, '.json');
  const requests = existsSync(sidecar)
    ? (JSON.parse(readFileSync(sidecar, 'utf8')) as { requests: number }).requests
    : 0;
  const perReq = (us: number) => (requests ? `${(us / requests).toFixed(1).padStart(7)} µs/req` : '');
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)} %${perReq(us)}`;
  const lines = [
    `${file}: ${(busy / 1e6).toFixed(2)} s busy (idle excluded), ${requests || '?'} HTTP requests`,
    '',
    'self time by package:',
  ];
  for (const [cat, us] of [...cats].sort((a, b) => b[1] - a[1]))
    if (cat !== '(idle)') lines.push(`  ${pct(us)}  ${cat}`);
  lines.push('', `top ${top} functions (self):`);
  for (const [fn, us] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${fn}`);
  lines.push('', 'library and bench functions, inclusive (self + callees):');
  for (const [fn, us] of inclusive(profile, self, /libs\/tenancy|bench\//).slice(0, top))
    lines.push(`  ${pct(us)}  ${fn}`);
  return lines.join('\n');
}

/** Inclusive time of functions whose URL matches `match` (outermost frame only, no double counting). */
function inclusive(profile: Profile, self: Map<number, number>, match: RegExp): Array<[string, number]> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  const total = (id: number): number =>
    (self.get(id) ?? 0) + (byId.get(id)!.children ?? []).reduce((s, c) => s + total(c), 0);
  const walk = (id: number, open: Set<string>): void => {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(libs|bench)\//, '$1/')}:${lineNumber + 1}`;
    const counts = match.test(url) && !open.has(key);
    if (counts) totals.set(key, (totals.get(key) ?? 0) + total(id));
    const next = counts ? new Set([...open, key]) : open;
    for (const c of node.children ?? []) walk(c, next);
  };
  walk(profile.nodes[0].id, new Set());
  return [...totals].sort((a, b) => b[1] - a[1]);
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [top]');
  console.log(summarize(file, Number(top ?? 25)));
}
