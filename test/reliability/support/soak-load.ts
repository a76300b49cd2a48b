import http from 'node:http';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SoakTenant } from './soak-app';
import { abortMidRequest, send } from './soak-http';
import { judge, prng, READS, requestFor, type Kind } from './soak-requests';

export interface LoadOptions {
  readonly port: number;
  readonly tenants: SoakTenant[];
  readonly requests: number;
  readonly concurrency: number;
  /** Share of requests that throw inside a transaction (`POST /orders/fail`, expect 500). */
  readonly failRate: number;
  /** Share of requests whose client disconnects mid-request. */
  readonly abortRate: number;
  readonly seed: number;
  /** Statuses accepted besides the expected ones (fault runs: 500/503 while the database is cut). */
  readonly tolerate?: readonly number[];
  /** Stops early when it resolves (fault runs). */
  readonly until?: Promise<unknown>;
  /** Called once, when the first response came back (the load is really running). */
  readonly onFirstResponse?: () => void;
}

export interface LoadResult {
  requests: number;
  ok: number;
  failedAsAsked: number;
  aborted: number;
  /** Responses carrying another tenant's marker. */
  crossed: number;
  /** Responses with the right tenant but not the expected content or status. */
  wrong: number;
  /** Tolerated error statuses (fault runs). */
  tolerated: number;
  samples: string[];
  durationMs: number;
  /**
   * Send times (epoch ms, comparable across threads) of requests that succeeded and of those that
   * ended in a tolerated error. A failure of a request sent after a fault says the service had not
   * recovered yet; one sent before it only says how long the loaded app took to answer.
   */
  okTimes: number[];
  errorTimes: number[];
}

/**
 * `concurrency` clients on loopback, each sending one request at a time over keep-alive until
 * `requests` were sent. Every response is judged (soak-requests.ts `judge`).
 */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const tolerate = new Set(o.tolerate ?? []);
  const random = prng(o.seed);
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency });
  const result: LoadResult = {
    ...{ requests: 0, ok: 0, failedAsAsked: 0, aborted: 0, crossed: 0, wrong: 0, tolerated: 0 },
    ...{ samples: [], durationMs: 0, okTimes: [], errorTimes: [] },
  };
  const started = performance.now();
  let stop = false;
  let transportErrors = 0;
  void o.until?.then(() => (stop = true));
  const pick = (): Kind => {
    const r = random();
    if (r < o.failRate) return 'fail';
    if (r < o.failRate + o.abortRate) return 'abort';
    return r < o.failRate + o.abortRate + 0.02 ? 'upsert' : 'read';
  };
  const client = async () => {
    // Many transport errors: the app is gone (a test failed and closed it). Stop, never spin.
    while (!stop && result.requests < o.requests && transportErrors < 100) {
      result.requests++;
      const t = o.tenants[Math.floor(random() * o.tenants.length)];
      const [kind, route, delay] = [pick(), READS[Math.floor(random() * READS.length)], random() * 12];
      if (kind === 'abort') {
        await abortMidRequest(o.port, t.identifier, requestFor(kind, t, route).path, delay);
        result.aborted++;
        continue;
      }
      const request = requestFor(kind, t, route);
      const sentAt = Date.now();
      const res = await send(o.port, agent, t.identifier, request).catch((e: Error) => e);
      if (res instanceof Error) {
        transportErrors++;
        result.wrong++;
        if (result.samples.length < 10)
          result.samples.push(`${t.identifier} ${request.path}: transport error ${res.message}`);
        continue;
      }
      const what = `${t.identifier} ${request.method} ${request.path}`;
      record(result, judge(kind, t, route, res, tolerate), what, o, sentAt);
    }
  };
  try {
    await Promise.all(Array.from({ length: o.concurrency }, client));
  } finally {
    agent.destroy();
  }
  result.durationMs = performance.now() - started;
  return result;
}

function record(
  result: LoadResult,
  { verdict, why }: ReturnType<typeof judge>,
  what: string,
  o: LoadOptions,
  at: number,
): void {
  const first = result.ok + result.tolerated + result.wrong + result.crossed + result.failedAsAsked === 0;
  if (verdict === 'ok') result.okTimes.push(at);
  if (verdict === 'tolerated') result.errorTimes.push(at);
  const counter = (
    {
      ok: 'ok',
      'failed-as-asked': 'failedAsAsked',
      crossed: 'crossed',
      wrong: 'wrong',
      tolerated: 'tolerated',
    } as const
  )[verdict];
  result[counter]++;
  if (why && result.samples.length < 10)
    result.samples.push(`${verdict === 'crossed' ? 'CROSSED ' : ''}${what}: ${why}`);
  if (first) o.onFirstResponse?.();
}

/**
 * After the load: every tenant's rows, read once each, are exactly its markers (the failed
 * transactions left nothing behind). Returns the lines that differ.
 */
export async function verifyEveryTenant(port: number, tenants: SoakTenant[]): Promise<string[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const bad: string[] = [];
  try {
    for (const t of tenants) {
      const res = await send(port, agent, t.identifier, { method: 'GET', path: '/orders/raw' });
      const got = res.status === 200 ? JSON.stringify(READS[2].actual(JSON.parse(res.text))) : `status ${res.status}`;
      if (got !== JSON.stringify(t.labels)) bad.push(`${t.identifier}: ${got.slice(0, 200)}`);
    }
  } finally {
    agent.destroy();
  }
  return bad;
}

/** A running load on a worker thread: `result` settles when it ends; `stop()` ends it early. */
export interface BackgroundLoad {
  readonly result: Promise<LoadResult>;
  /** Resolves once the first response came back. */
  readonly running: Promise<void>;
  stop(): void;
}

/** `runLoad` on a worker thread (the app keeps the main thread's event loop to itself). */
export function startLoad(o: Omit<LoadOptions, 'until' | 'onFirstResponse'>): BackgroundLoad {
  const worker = new Worker(join(__dirname, 'soak-load.worker.js'), { workerData: o });
  let markRunning: () => void = () => undefined;
  const running = new Promise<void>((resolve) => (markRunning = resolve));
  const result = new Promise<LoadResult>((resolve, reject) => {
    worker.on('message', (m: { running?: true; result?: LoadResult; error?: string }) => {
      if (m.running) return markRunning();
      if (m.result) resolve(m.result);
      else reject(new Error(m.error));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`load worker exited with ${code}`)));
  }).finally(() => void worker.terminate());
  return { result, running, stop: () => worker.postMessage('stop') };
}

/**
 * Runs `during` while a background load runs, then stops the load (also when `during` throws:
 * a load left running would keep the test process busy forever) and returns its result.
 */
export async function underLoad<T>(
  o: Omit<LoadOptions, 'until' | 'onFirstResponse'>,
  during: () => Promise<T>,
): Promise<{ load: LoadResult; value: T }> {
  const background = startLoad(o);
  let value: T;
  try {
    await Promise.race([background.running, background.result]);
    value = await during();
  } finally {
    background.stop();
  }
  return { load: await background.result, value };
}
