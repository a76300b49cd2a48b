import type { ResolvedTenancyOptions } from '../config/tenancy-options.interface';
import type { TenantConnectionManager } from '../connection/tenant-connection.manager';
import { ResolutionMetrics } from '../resolution/resolution.metrics';
import { CachedTenantStore } from '../store/cached-tenant.store';
import { InMemoryTenantStore } from '../store/in-memory-tenant.store';
import type { TenantStore } from '../store/tenant-store.interface';
import { TenancyMetricsService } from './tenancy-metrics.service';

const connections = {
  getMetrics: () => ({ dataSources: { cached: 2, max: 100 }, views: 7, pool: { total: 10, idle: 8, waiting: 0 } }),
} as unknown as TenantConnectionManager;

async function setUp(enableMetrics: boolean, store: TenantStore = new CachedTenantStore(new InMemoryTenantStore())) {
  await store.create({ identifier: 'acme', name: 'Acme', isolationStrategy: 'schema' });
  const globex = await store.create({ identifier: 'globex', name: 'Globex', isolationStrategy: 'schema' });
  await store.setStatus(globex.id, 'suspended');
  const resolution = new ResolutionMetrics();
  const service = new TenancyMetricsService(
    { enableMetrics } as ResolvedTenancyOptions,
    store,
    connections,
    resolution,
  );
  await service.onModuleInit();
  return { service, store, resolution };
}

describe('TenancyMetricsService', () => {
  it('returns exactly the documented shape, from the cache, connections, resolution and store', async () => {
    const { service, store, resolution } = await setUp(false);
    await store.getByIdentifier('acme'); // miss
    await store.getByIdentifier('acme'); // hit
    resolution.recordResolved();
    resolution.recordRejected('suspended');
    expect(await service.getMetrics()).toEqual({
      metricsEnabled: false,
      l1Cache: { size: 1, hits: 1, misses: 1, hitRatePct: 50 },
      l2Cache: { enabled: false, hits: 0, misses: 0, errors: 0 },
      dataSources: { cached: 2, max: 100 },
      pool: { total: 10, idle: 8, waiting: 0 },
      resolution: {
        resolved: 1,
        rejected: {
          byReason: {
            missing: 0,
            malformed: 0,
            unknown: 0,
            suspended: 1,
            deleted: 0,
            provisioning: 0,
            invalid_token: 0,
            conflict: 0,
            not_member: 0,
            lookup_error: 0,
            resolver_error: 0,
          },
        },
      },
      tenants: { byStatus: { active: 1, suspended: 1, deleted: 0, provisioning: 0 } },
    });
  });

  it('reports zeroed caches for a store without stats()', async () => {
    const { service } = await setUp(true, new InMemoryTenantStore());
    const metrics = await service.getMetrics();
    expect(metrics.metricsEnabled).toBe(true);
    expect(metrics.l1Cache).toEqual({ size: 0, hits: 0, misses: 0, hitRatePct: 0 });
    expect(metrics.l2Cache).toEqual({ enabled: false, hits: 0, misses: 0, errors: 0 });
  });

  it('exposes nothing to Prometheus when enableMetrics is off', async () => {
    const { service } = await setUp(false);
    expect(await service.getPrometheusRegistry()).toBeNull();
    expect(await service.getPrometheusMetrics()).toBeNull();
  });

  it('renders Prometheus text read at scrape time, on a registry of its own', async () => {
    const { service, resolution } = await setUp(true);
    resolution.recordRejected('unknown');
    const first = (await service.getPrometheusMetrics())!;
    expect(first.contentType).toMatch(/^text\/plain/);
    expect(first.body).toContain('tenancy_tenants{status="active"} 1');
    expect(first.body).toContain('tenancy_tenants{status="suspended"} 1');
    expect(first.body).toContain('tenancy_resolution_rejected_total{reason="unknown"} 1');
    expect(first.body).toContain('tenancy_resolution_rejected_total{reason="suspended"} 0');
    expect(first.body).toContain('tenancy_datasources_max 100');
    expect(first.body).toContain('tenancy_pool_connections{state="idle"} 8');
    expect(first.body).not.toContain('process_cpu'); // not the global default registry
    resolution.recordRejected('unknown');
    resolution.recordResolved();
    const second = (await service.getPrometheusMetrics())!.body;
    expect(second).toContain('tenancy_resolution_rejected_total{reason="unknown"} 2');
    expect(second).toContain('tenancy_resolution_resolved_total 1');
  });

  it('reads the store once per scrape, whatever the number of metrics', async () => {
    const { service, store } = await setUp(true);
    const count = jest.spyOn(store, 'count');
    await service.getPrometheusMetrics();
    expect(count).toHaveBeenCalledTimes(4); // one per status
  });

  it('stops start-up with a clear error when prom-client cannot be loaded', async () => {
    jest.doMock('prom-client', () => {
      throw new Error("Cannot find module 'prom-client'");
    });
    try {
      await jest.isolateModulesAsync(async () => {
        const { TenancyMetricsService: Fresh } = await import('./tenancy-metrics.service');
        const { TenancyConfigError: FreshError } = await import('../errors/tenancy-config.error');
        const options = { enableMetrics: true } as ResolvedTenancyOptions;
        const boot = new Fresh(options, new InMemoryTenantStore(), connections, new ResolutionMetrics()).onModuleInit();
        await expect(boot).rejects.toBeInstanceOf(FreshError);
        await expect(boot).rejects.toThrow(
          /TENANCY_ENABLE_METRICS \(option enableMetrics\) needs the prom-client package/,
        );
      });
    } finally {
      jest.dontMock('prom-client');
    }
  });
});
