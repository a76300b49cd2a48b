// HTTP scenarios (B1, B2, B3, B6): children started per scenario, cases alternated per round.
import { Child, hammer, measure, type Load, type Segment } from './load';
import type { BenchDb, SeededTenant, Tenants } from './seed';
import type { Plumbing } from './plumbing';
import type { VariantSpec } from './variants';

export interface BenchConfig {
  quick: boolean;
  profile: boolean;
  countQueries: boolean;
  /** Adds baseline + one piece of plumbing variants to B1/B6 GET (see plumbing.ts). */
  diagnose: boolean;
  seconds: number;
  /** Load before the rounds, per case (JIT and caches warm). */
  warmSeconds: number;
  rounds: number;
  connections: number;
  poolSize: number;
  b2Tenants: number;
  b3Databases: number;
  b3Hot: number;
  b3MaxCached: number;
  b4Tenants: number;
  b5Iterations: number;
}

/** One measured load on one child; its segments; its ratios to `ref`, one per round. */
export interface Case {
  key: string;
  child: Child;
  load: Load;
  ref?: Case;
  segments: Segment[];
  ratios: number[];
  cpuRatios: number[];
}

type Variant = Pick<VariantSpec, 'kind' | 'strategy'> & Partial<VariantSpec>;

export function specFor(db: BenchDb, cfg: BenchConfig, name: string, v: Variant): VariantSpec {
  const app = `bench-${name.replace(/\W+/g, '-')}`;
  return {
    name,
    adapter: 'express',
    url: db.url(app, v.strategy === 'rls'),
    ownerUrl: v.strategy === 'rls' ? db.url(`${app}-owner`) : undefined,
    poolSize: cfg.poolSize,
    databaseUrlTemplate: db.url(app, false, 'DBNAME').replace('DBNAME', '{database_name}'),
    databasePrefix: db.dbPrefix,
    countQueries: cfg.countQueries,
    ...v,
  };
}

/** Starts every child of a scenario (in parallel), runs `body`, always stops them. */
export async function withChildren<T>(
  specs: VariantSpec[],
  cfg: BenchConfig,
  body: (c: Record<string, Child>) => Promise<T>,
): Promise<T> {
  const started = await Promise.allSettled(specs.map((s) => Child.start(s, cfg.profile)));
  const children = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  try {
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    return await body(Object.fromEntries(children.map((c) => [c.spec.name, c])));
  } finally {
    await Promise.all(children.map((c) => c.stop()));
  }
}

/**
 * Warms each case (every tenant touched at least once, JIT warm), then runs `rounds` rounds.
 * A round brackets every case by its reference (A X A Y A ...), so each ratio compares X with
 * the mean of the two reference segments run just before and after it; odd rounds go in
 * reverse order, so drift on a shared machine cancels out.
 */
export async function alternate(cases: Case[], cfg: BenchConfig, db: BenchDb, log: (s: string) => void): Promise<void> {
  for (const c of cases) {
    if (c.load.tenants.length > 10) await hammer(c.child.port, c.load, c.load.tenants.length); // every tenant once
    await hammer(c.child.port, { ...c.load, seconds: cfg.warmSeconds });
  }
  const lastActive = new Map<Child, number>();
  const run = async (c: Case, round: number): Promise<Segment> => {
    // A child left idle while the others ran has had its pool connections closed (pg's 10 s
    // idle timeout) and cold caches: give it a short unmeasured run first, as the reference
    // (measured every other segment) never needs.
    if (!cfg.quick && Date.now() - (lastActive.get(c.child) ?? 0) > 5000) {
      await hammer(c.child.port, { ...c.load, seconds: Math.min(1, cfg.seconds / 2) });
    }
    const s = await measure(c.child, c.load, db.adminUrl, db.name);
    lastActive.set(c.child, Date.now());
    c.segments.push(s);
    const line = `${c.key.padEnd(34)} ${s.rps.toFixed(0).padStart(6)} req/s  cpu ${s.cpuUsPerReq.toFixed(0).padStart(5)} µs/req`;
    log(`  round ${round + 1}/${cfg.rounds} ${line}  errors ${s.errors}${s.errors ? ` (${s.errorDetail})` : ''}`);
    return s;
  };
  const compared = cases.filter((c) => c.ref);
  for (let round = 0; round < cfg.rounds; round++) {
    let last: { c: Case; s: Segment } | undefined;
    for (const c of round % 2 === 0 ? compared : [...compared].reverse()) {
      const ref = c.ref!;
      const before = last?.c === ref ? last.s : await run(ref, round);
      const s = await run(c, round);
      const after = await run(ref, round);
      c.ratios.push((2 * s.rps) / (before.rps + after.rps));
      c.cpuRatios.push((before.cpuUsPerReq + after.cpuUsPerReq) / 2 / s.cpuUsPerReq);
      last = { c: ref, s: after };
    }
  }
}

/** A case measured against `ref` (bracketed by it in every round), or a reference itself. */
export function caseOf(key: string, child: Child, load: Load, ref?: Case): Case {
  return { key, child, load, ref, segments: [], ratios: [], cpuRatios: [] };
}

const ids = (ts: SeededTenant[], n = ts.length) => ts.slice(0, n).map((t) => t.identifier);

/** B1 (and B6 with `adapter: 'fastify'`): GET and POST per strategy against the baseline, 10 tenants. */
export async function runB1(
  db: BenchDb,
  cfg: BenchConfig,
  tenants: Tenants,
  adapter: 'express' | 'fastify',
  methods: Array<'GET' | 'POST'>,
  log: (s: string) => void,
): Promise<Case[]> {
  const suffix = adapter === 'express' ? '' : '/fastify';
  const variants: Array<[string, Variant, string[]]> = [
    ['baseline', { kind: 'baseline' }, ids(tenants.schema, 10)],
    ['schema', { kind: 'tenancy', strategy: 'schema' }, ids(tenants.schema, 10)],
    ['rls', { kind: 'tenancy', strategy: 'rls' }, ids(tenants.rls, 10)],
    ['database', { kind: 'tenancy', strategy: 'database' }, ids(tenants.database, 10)],
  ];
  if (adapter === 'express') variants.push(['request-scope', { kind: 'request-scope' }, ids(tenants.schema, 10)]);
  // Issue 13's hand-written sketches (B7): on both adapters, the library must cost no more.
  const rlsIds = Object.fromEntries(tenants.rls.slice(0, 10).map((t) => [t.identifier, t.id]));
  variants.push(
    ['schema-sketch', { kind: 'schema-sketch' }, ids(tenants.schema, 10)],
    ['rls-sketch', { kind: 'rls-sketch', strategy: 'rls', tenantIds: rlsIds }, ids(tenants.rls, 10)],
  );
  if (cfg.diagnose) {
    for (const p of ['als', 'interceptor', 'guard', 'als+interceptor+guard'] as const) {
      variants.push([
        `baseline+${p}`,
        { kind: 'baseline', plumbing: p.split('+') as Plumbing[] },
        ids(tenants.schema, 10),
      ]);
    }
  }
  const specs = variants.map(([name, v]) => specFor(db, cfg, `${name}${suffix}`, { ...v, adapter }));
  return withChildren(specs, cfg, async (children) => {
    const all: Case[] = [];
    for (const method of methods) {
      log(`${adapter === 'express' ? 'B1' : 'B6'} ${method} /orders (${adapter})`);
      const load = (tenantIds: string[]): Load => ({
        method,
        tenants: tenantIds,
        seconds: cfg.seconds,
        connections: cfg.connections,
      });
      const [base, ...others] = variants.filter(([name]) => method === 'GET' || !name.includes('+'));
      const ref = caseOf(`${method} ${base[0]}${suffix}`, children[`${base[0]}${suffix}`], load(base[2]));
      const cases = [
        ref,
        ...others.map(([name, , t]) =>
          caseOf(`${method} ${name}${suffix}`, children[`${name}${suffix}`], load(t), ref),
        ),
      ];
      await alternate(cases, cfg, db, log);
      all.push(...cases);
    }
    return all;
  });
}

export interface B2Out {
  cases: Case[];
  /** Memory (bytes, after a full GC) per strategy: after the 10-tenant warm-up, and at the end. */
  memory: Record<string, { before: { rss: number; heapUsed: number }; after: { rss: number; heapUsed: number } }>;
}

/** B2: the same GET spread over `b2Tenants` vs over 10, schema and RLS (same child for both). */
export async function runB2(db: BenchDb, cfg: BenchConfig, tenants: Tenants, log: (s: string) => void): Promise<B2Out> {
  const n = cfg.b2Tenants;
  const l1 = { l1CacheMaxSize: n + 100 };
  const specs = [
    specFor(db, cfg, 'b2-schema', { kind: 'tenancy', strategy: 'schema', ...l1 }),
    specFor(db, cfg, 'b2-rls', { kind: 'tenancy', strategy: 'rls', ...l1 }),
  ];
  // Beyond the default L1 size (1000), also show what the default does to a wide rotation.
  const defaultL1 = n > 1000;
  if (defaultL1) specs.push(specFor(db, cfg, 'b2-schema-l1-default', { kind: 'tenancy', strategy: 'schema' }));
  return withChildren(specs, cfg, async (children) => {
    log(`B2 GET /orders over 10 vs ${n} tenants`);
    const memory: B2Out['memory'] = {};
    const cases: Case[] = [];
    for (const strategy of ['schema', 'rls'] as const) {
      const child = children[`b2-${strategy}`];
      const load = (t: string[]): Load => ({
        method: 'GET',
        tenants: t,
        seconds: cfg.seconds,
        connections: cfg.connections,
      });
      await hammer(child.port, { ...load(ids(tenants[strategy], 10)), seconds: cfg.quick ? 1 : cfg.warmSeconds });
      memory[strategy] = { before: await child.stats(true), after: { rss: 0, heapUsed: 0 } };
      const narrow = caseOf(`${strategy} x10`, child, load(ids(tenants[strategy], 10)));
      cases.push(narrow, caseOf(`${strategy} x${n}`, child, load(ids(tenants[strategy], n)), narrow));
      if (strategy === 'schema' && defaultL1) {
        const wide = load(ids(tenants.schema, n));
        cases.push(caseOf(`schema x${n}, default L1 (1000)`, children['b2-schema-l1-default'], wide, narrow));
      }
    }
    await alternate(cases, cfg, db, log);
    for (const strategy of ['schema', 'rls']) memory[strategy].after = await children[`b2-${strategy}`].stats(true);
    return { cases, memory };
  });
}

/** B3: database strategy, `b3Databases` tenants, LRU of `b3MaxCached`: hot set inside vs outside it. */
export async function runB3(
  db: BenchDb,
  cfg: BenchConfig,
  tenants: Tenants,
  log: (s: string) => void,
): Promise<Case[]> {
  const spec = specFor(db, cfg, 'b3-database', {
    kind: 'tenancy',
    strategy: 'database',
    poolSize: 1, // 50 DataSources x 1 fits max_connections (100); x10 would not
    maxCachedDataSources: cfg.b3MaxCached,
    l1CacheMaxSize: cfg.b3Databases + 100,
  });
  return withChildren([spec], cfg, async (children) => {
    log(`B3 database strategy, ${cfg.b3Databases} databases, maxCachedDataSources ${cfg.b3MaxCached}, pool size 1`);
    const child = children[spec.name];
    const load = (t: string[]): Load => ({
      method: 'GET',
      tenants: t,
      seconds: cfg.seconds,
      connections: cfg.connections,
    });
    const inside = caseOf(`inside (hot ${cfg.b3Hot})`, child, load(ids(tenants.database, cfg.b3Hot)));
    const cases = [
      inside,
      caseOf(`outside (all ${cfg.b3Databases})`, child, load(ids(tenants.database, cfg.b3Databases)), inside),
    ];
    await alternate(cases, cfg, db, log);
    return cases;
  });
}
