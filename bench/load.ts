// Children (one app each), load from autocannon, and what one measured segment records.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import type { VariantSpec } from './variants';

const ROOT = join(__dirname, '..');
export const PROFILE_DIR = join(__dirname, '.raw', 'profiles');

interface Stats {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  cpuMicros: number;
  queries: number;
  requests: number;
}

/** The node binary children and scripts run on (`--node=24`: see `nodeBinary` in run.ts). */
let childNode = process.execPath;
export function useNodeBinary(path: string): void {
  childNode = path;
}

const profileName = (spec: VariantSpec) => spec.name.replace(/\W+/g, '-');

/** One variant's process. */
export class Child {
  private seq = 0;
  private readonly waiting = new Map<number, (msg: Record<string, unknown>) => void>();
  port = 0;

  private constructor(
    readonly spec: VariantSpec,
    private readonly proc: ChildProcess,
    private readonly profile: boolean,
  ) {
    proc.on('message', (msg: Record<string, unknown> & { id: number }) => {
      this.waiting.get(msg.id)?.(msg);
      this.waiting.delete(msg.id);
    });
  }

  /** Forks `child.ts` for `spec` and waits until it listens. */
  static async start(spec: VariantSpec, profile: boolean): Promise<Child> {
    if (profile) mkdirSync(PROFILE_DIR, { recursive: true });
    const proc = fork(join(__dirname, 'child.ts'), [], {
      cwd: ROOT,
      execPath: childNode,
      execArgv: ['-r', join(ROOT, 'tools', 'register.js'), '--expose-gc'],
      env: { ...process.env, BENCH_SPEC: JSON.stringify(spec) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const child = new Child(spec, proc, profile);
    const first = await new Promise<Record<string, unknown>>((resolve, reject) => {
      child.waiting.set(0, resolve);
      proc.once('exit', (code) => reject(new Error(`${spec.name}: child exited (${code}) before listening`)));
    });
    if (first.error) throw new Error(`${spec.name}: ${String(first.error)}`);
    child.port = Number(first.port);
    return child;
  }

  /** RSS, heap, CPU and counters of the child; with `gc`, memory is read after a full GC. */
  stats(gc = false): Promise<Stats> {
    return this.ask('stats', { gc }) as Promise<unknown> as Promise<Stats>;
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    const exited = new Promise((resolve) => this.proc.once('exit', resolve));
    this.proc.send({ id: ++this.seq, cmd: 'stop' });
    // The child saves its CPU profile (if any) before exiting; kill only a child that hangs.
    const timer = setTimeout(() => this.proc.kill(), 15_000);
    await exited;
    clearTimeout(timer);
  }

  /** With `--profile`: starts the child's CPU profiler (once, at its first measured segment). */
  async startProfiling(): Promise<void> {
    if (!this.profile || this.profiling) return;
    this.profiling = true;
    await this.ask('profile', { file: join(PROFILE_DIR, `${profileName(this.spec)}.cpuprofile`) });
  }

  private profiling = false;

  private ask(cmd: string, extra: object = {}): Promise<Record<string, unknown>> {
    const id = ++this.seq;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.proc.send({ id, cmd, ...extra });
    });
  }
}

/** Polls pg_stat_activity for the backends of one `application_name` until stopped. */
export function watchBackends(
  adminUrl: string,
  app: string,
  rootDb: string,
): { stop(): Promise<{ peak: number; peakTenantDbs: number }> } {
  let running = true;
  const peak = { peak: 0, peakTenantDbs: 0 };
  const done = (async () => {
    const client = await watcherClient(adminUrl);
    while (running) {
      const { rows } = await client.query(
        'SELECT count(*)::int AS n, (count(*) FILTER (WHERE datname <> $2))::int AS t FROM pg_stat_activity WHERE application_name = $1',
        [app, rootDb],
      );
      peak.peak = Math.max(peak.peak, rows[0].n as number);
      peak.peakTenantDbs = Math.max(peak.peakTenantDbs, rows[0].t as number);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return peak;
    },
  };
}

/** One polling connection for the whole run (its own backend is not the bench's). */
let watcher: Promise<Client> | undefined;
function watcherClient(adminUrl: string): Promise<Client> {
  watcher ??= (async () => {
    const client = new Client({ connectionString: adminUrl });
    await client.connect();
    return client;
  })();
  return watcher;
}

/** Closes the polling connection (end of run). */
export async function closeWatcher(): Promise<void> {
  const client = await watcher;
  watcher = undefined;
  await client?.end();
}

/** A load: one route, the header spread round-robin over `tenants`. */
export interface Load {
  method: 'GET' | 'POST';
  tenants: string[];
  seconds: number;
  connections: number;
}

export interface Segment {
  rps: number;
  ok: number;
  errors: number;
  /** What the errors were: socket errors/timeouts and non-2xx status codes. */
  errorDetail: string;
  p99Ms: number;
  cpuUsPerReq: number;
  queriesPerReq: number;
  peakBackends: number;
  peakTenantDbBackends: number;
  rss: number;
}

export async function hammer(port: number, load: Load, amount?: number): Promise<autocannon.Result> {
  let next = 0;
  const { tenants } = load;
  const body = load.method === 'POST' ? JSON.stringify({ label: 'bench' }) : undefined;
  return autocannon({
    url: `http://127.0.0.1:${port}/orders`,
    connections: load.connections,
    duration: load.seconds,
    amount,
    method: load.method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body,
    requests: [
      {
        setupRequest: (req) => {
          req.headers['x-tenant-id'] = tenants[next++ % tenants.length];
          return req;
        },
      },
    ],
  });
}

/** Runs `load` against `child` and records throughput, app CPU, round trips and backends. */
export async function measure(child: Child, load: Load, adminUrl: string, rootDb: string): Promise<Segment> {
  await child.startProfiling();
  const before = await child.stats();
  const watch = watchBackends(adminUrl, appName(child.spec), rootDb);
  const result = await hammer(child.port, load);
  const backends = await watch.stop();
  const after = await child.stats();
  const ok = result['2xx'];
  return {
    rps: ok / result.duration,
    ok,
    errors: result.errors + result.non2xx,
    errorDetail: [
      result.errors ? `${result.errors} socket errors (${result.timeouts} timeouts)` : '',
      ...Object.entries(result.statusCodeStats ?? {})
        .filter(([code]) => !code.startsWith('2'))
        .map(([code, { count }]) => `${count} × HTTP ${code}`),
    ]
      .filter(Boolean)
      .join(', '),
    p99Ms: result.latency.p99,
    cpuUsPerReq: ok ? (after.cpuMicros - before.cpuMicros) / ok : NaN,
    queriesPerReq: ok ? (after.queries - before.queries) / ok : NaN,
    peakBackends: backends.peak,
    peakTenantDbBackends: backends.peakTenantDbs,
    rss: after.rss,
  };
}

/** The `application_name` a variant connects with (its backends are counted by it). */
export function appName(spec: VariantSpec): string {
  return `bench-${spec.name.replace(/\W+/g, '-')}`;
}

/** Runs a one-shot bench script (B4, B5) in its own process; resolves with what it sends. */
export function runScript<T>(file: string, input: object): Promise<T> {
  const proc = fork(join(__dirname, file), [], {
    cwd: ROOT,
    execPath: childNode,
    execArgv: ['-r', join(ROOT, 'tools', 'register.js'), '--expose-gc'],
    env: { ...process.env, BENCH_INPUT: JSON.stringify(input) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let result: { ok?: T; error?: string } | undefined;
    proc.on('message', (msg: { ok?: T; error?: string }) => (result = msg));
    proc.once('exit', (code) => {
      if (result?.ok) resolve(result.ok);
      else reject(new Error(`${file} failed (exit ${code}): ${result?.error ?? 'no result'}`));
    });
  });
}
