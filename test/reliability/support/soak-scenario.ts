import { TenantConnectionManager, type TenantIsolation } from 'nestjs-tenancy';
import { checkForLeaks, type LeakReport } from './leak-check';
import { connectionHeadroom, watchBackends, type PgSandbox } from './pg-sandbox';
import { bootSoakApp, type SoakApp } from './soak-app';
import { startLoad, verifyEveryTenant, type LoadResult } from './soak-load';
import { trackUnhandled } from './unhandled';

export interface SoakConfig {
  readonly name: string;
  readonly sandbox: PgSandbox;
  readonly counts: Readonly<Record<TenantIsolation, number>>;
  readonly requests: number;
  readonly concurrency: number;
  readonly poolSize: number;
  /** Upper bound; lowered to what the server's free connections allow. */
  readonly maxCachedDataSources: number;
  readonly failRate: number;
  readonly abortRate: number;
  readonly seed: number;
  /** HTTP adapter. Default `express`. */
  readonly adapter?: 'express' | 'fastify';
  /** Prints progress lines (the long form). */
  readonly log?: (line: string) => void;
}

export interface SoakOutcome {
  readonly load: LoadResult;
  readonly leaks: LeakReport;
  readonly unhandled: number;
  readonly unhandledReasons: string[];
  /** `soak <name>: N requests, 0 crossed, 0 leaked connections, 0 unhandled`. */
  readonly summary: string;
  readonly details: string;
  /** Most backends the app held at once, and the server's free connections when it started. */
  readonly peakBackends: number;
  readonly backendBudget: number;
  /** Errors logged other than the transactions the load asked to throw, and warnings. */
  readonly unexpectedLogs: Record<string, number>;
  /** The first full entry (with stack) of each unexpected log message. */
  readonly unexpectedStacks: string[];
  /** Tenants whose rows were not exactly their markers afterwards. */
  readonly damaged: string[];
  /** Tenant DataSources opened and closed (evicted) during the run. */
  readonly dataSources: { created: number; closed: number };
}

/**
 * Sizes the tenant-database cache to the server's free connections: each cached DataSource may
 * hold `poolSize` backends, plus the shared pool, plus a margin for other sessions.
 */
export async function sizeForServer(adminUrl: string, poolSize: number, upTo: number) {
  const room = await connectionHeadroom(adminUrl);
  const margin = 12;
  const maxCached = Math.min(upTo, Math.floor((room.free - margin - poolSize) / poolSize));
  if (maxCached < 4) {
    throw new Error(
      `PostgreSQL has ${room.free} of ${room.max} connections free: the soak needs ${poolSize * 5 + margin}`,
    );
  }
  return { maxCached, budget: room.free, max: room.max };
}

/** Boots the hybrid app, runs the load, then checks data, pools, server backends and rejections. */
export async function runSoak(c: SoakConfig): Promise<SoakOutcome> {
  const sizing = await sizeForServer(c.sandbox.adminUrl, c.poolSize, c.maxCachedDataSources);
  const started = performance.now();
  let soak: SoakApp | undefined;
  const unhandled = trackUnhandled();
  const watcher = await watchBackends(c.sandbox.adminUrl, {
    databases: () => [c.sandbox.name],
    prefix: c.sandbox.databasePrefix,
  });
  try {
    soak = await bootSoakApp({ ...c, maxCachedDataSources: sizing.maxCached });
    c.log?.(
      `soak ${c.name}: ${soak.tenants.length} tenants ready in ${((performance.now() - started) / 1000).toFixed(1)} s ` +
        `(maxCachedDataSources ${sizing.maxCached}, ${sizing.budget} of ${sizing.max} connections free)`,
    );
    const { requests, concurrency, failRate, abortRate, seed } = c;
    const load = await startLoad({
      port: soak.port,
      tenants: soak.tenants,
      requests,
      concurrency,
      failRate,
      abortRate,
      seed,
    }).result;
    const unexpectedLogs = {
      ...soak.logger.unexpected('error', /^Error: boom/),
      ...soak.logger.unexpected('warn', /^$/),
    };
    const damaged = await verifyEveryTenant(soak.port, soak.tenants);
    const leaks = await checkForLeaks(soak.app, c.sandbox);
    const outcome = {
      load,
      leaks,
      unhandled: unhandled.count,
      unhandledReasons: unhandled.reasons,
      peakBackends: watcher.peak,
      backendBudget: sizing.budget,
      unexpectedLogs,
      unexpectedStacks: Object.keys(unexpectedLogs).map((k) => soak!.logger.firstSeen.get(k) ?? k),
      damaged,
      dataSources: dataSourceStats(soak),
    };
    return { ...outcome, ...describe(c, soak, outcome) };
  } finally {
    await soak?.close();
    await watcher.stop();
    unhandled.stop();
  }
}

function dataSourceStats(soak: SoakApp): { created: number; closed: number } {
  const manager = soak.app.get(TenantConnectionManager) as unknown as {
    databases: { stats(): { created: number; closed: number } };
  };
  return manager.databases.stats();
}

/** The summary line the issue asks for, and a details line with everything else measured. */
function describe(
  c: SoakConfig,
  soak: SoakApp,
  o: Omit<SoakOutcome, 'summary' | 'details'>,
): { summary: string; details: string } {
  const { load, leaks, dataSources } = o;
  const rps = Math.round(load.requests / (load.durationMs / 1000));
  return {
    summary: `soak ${c.name}: ${load.requests} requests, ${load.crossed} crossed, ${leaks.leaked} leaked connections, ${o.unhandled} unhandled`,
    details:
      `soak ${c.name} details: ${load.ok} ok, ${load.failedAsAsked} failed in a transaction as asked, ` +
      `${load.aborted} aborted by the client, ${load.wrong} wrong, ${o.damaged.length} tenants damaged; ` +
      `${(load.durationMs / 1000).toFixed(1)} s (${rps} req/s); peak ${o.peakBackends} backends (budget ${o.backendBudget}); ` +
      `shared pool ${leaks.shared.idle}/${leaks.shared.total} idle; ${leaks.tenantPools} tenant pools open, ` +
      `${dataSources.created} opened, ${dataSources.closed} closed on eviction; ` +
      `logged errors ${soak.logger.counts.error}, warnings ${soak.logger.counts.warn}; seed ${c.seed}`,
  };
}
