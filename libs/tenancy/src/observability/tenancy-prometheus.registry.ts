import type * as Prom from 'prom-client';
import type { TenancyMetrics } from './tenancy-metrics.types';

/** @internal What one scrape reads: the metrics snapshot plus counters kept outside it. */
export interface ScrapeSource {
  readonly metrics: TenancyMetrics;
  readonly rateLimited: number;
}

type Sample = [labels: Record<string, string>, value: number];
type Kind = 'Gauge' | 'Counter';

/**
 * @internal A prom-client `Registry` of its own holding the tenancy metrics. Values are read on
 * scrape: every metric's `collect` awaits ONE shared read per scrape (prom-client collects the
 * metrics of a registry concurrently), so a scrape costs one store count per status.
 */
export function createTenancyRegistry(prom: typeof Prom, read: () => Promise<ScrapeSource>): Prom.Registry {
  const registry = new prom.Registry();
  const scrape = sharedRead(read);
  const define = (
    kind: Kind,
    name: string,
    help: string,
    labelNames: string[],
    samples: (s: ScrapeSource) => Sample[],
  ) => {
    const Metric = prom[kind] as unknown as new (config: Prom.GaugeConfiguration<string>) => Prom.Gauge;
    new Metric({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const source = await scrape();
        this.reset();
        // Counters only go up: `inc` after `reset` republishes the running total read from the source.
        for (const [labels, value] of samples(source)) {
          if (kind === 'Gauge') this.set(labels, value);
          else (this as unknown as Prom.Counter).inc(labels, value);
        }
      },
    });
  };
  const m = (s: ScrapeSource) => s.metrics;
  define('Gauge', 'tenancy_tenants', 'Tenants in the store, by status', ['status'], (s) =>
    entries(m(s).tenants.byStatus, 'status'),
  );
  define('Counter', 'tenancy_resolution_resolved_total', 'Requests that resolved to an active tenant', [], (s) => [
    [{}, m(s).resolution.resolved],
  ]);
  define(
    'Counter',
    'tenancy_resolution_rejected_total',
    'Requests refused with the uniform 404, by reason',
    ['reason'],
    (s) => entries(m(s).resolution.rejected.byReason, 'reason'),
  );
  define('Counter', 'tenancy_rate_limited_total', 'Requests refused with 429 by the per-tenant rate limit', [], (s) => [
    [{}, s.rateLimited],
  ]);
  define(
    'Counter',
    'tenancy_scope_violations_total',
    'Statements through a tenant DataSource refused by the scoping check',
    [],
    (s) => [[{}, m(s).scopeViolations]],
  );
  define('Gauge', 'tenancy_cache_l1_entries', 'Entries in the in-process tenant cache', [], (s) => [
    [{}, m(s).l1Cache.size],
  ]);
  define('Counter', 'tenancy_cache_hits_total', 'Tenant cache hits, by level', ['level'], (s) => [
    [{ level: 'l1' }, m(s).l1Cache.hits],
    [{ level: 'l2' }, m(s).l2Cache.hits],
  ]);
  define('Counter', 'tenancy_cache_misses_total', 'Tenant cache misses, by level', ['level'], (s) => [
    [{ level: 'l1' }, m(s).l1Cache.misses],
    [{ level: 'l2' }, m(s).l2Cache.misses],
  ]);
  define('Counter', 'tenancy_cache_l2_errors_total', 'Failed Redis calls of the tenant cache', [], (s) => [
    [{}, m(s).l2Cache.errors],
  ]);
  define('Gauge', 'tenancy_datasources_cached', 'Tenant DataSources open (database strategy)', [], (s) => [
    [{}, m(s).dataSources.cached],
  ]);
  define('Gauge', 'tenancy_datasources_max', 'Bound of the tenant DataSource cache (maxCachedDataSources)', [], (s) => [
    [{}, m(s).dataSources.max],
  ]);
  define('Gauge', 'tenancy_pool_connections', 'Connections of the shared pool, by state', ['state'], (s) => [
    [{ state: 'total' }, m(s).pool.total],
    [{ state: 'idle' }, m(s).pool.idle],
  ]);
  define('Gauge', 'tenancy_pool_waiting_requests', 'Requests waiting for a connection of the shared pool', [], (s) => [
    [{}, m(s).pool.waiting],
  ]);
  return registry;
}

function entries(record: Readonly<Record<string, number>>, label: string): Sample[] {
  return Object.entries(record).map(([key, value]) => [{ [label]: key }, value]);
}

/** Calls made while a read is in flight share it; the next call after it settles reads again. */
function sharedRead<T>(read: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => (pending ??= read().finally(() => (pending = undefined)));
}
