import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { optionLabel } from '../config/option-specs';
import type { ResolvedTenancyOptions } from '../config/tenancy-options.interface';
import { TenantConnectionManager } from '../connection/tenant-connection.manager';
import { TenancyConfigError } from '../errors/tenancy-config.error';
import { TENANT_STATUSES, type TenantStatus } from '../models/tenant.model';
import { ResolutionMetrics } from '../resolution/resolution.metrics';
import { TenantStore } from '../store/tenant-store.interface';
import { TENANCY_OPTIONS } from '../tenancy.constants';
import { cacheStats } from './cache-stats.util';
import { createTenancyRegistry } from './tenancy-prometheus.registry';
import type { TenancyMetrics } from './tenancy-metrics.types';

/** A Prometheus response: the text exposition and the `Content-Type` to send it with. */
export interface PrometheusExposition {
  readonly contentType: string;
  readonly body: string;
}

/**
 * Tenancy metrics: a JSON snapshot (`getMetrics`, always available) and, with `enableMetrics`,
 * Prometheus text through prom-client, on a registry of its own whose values are read at
 * scrape time (metric names start with `tenancy_`).
 * @example
 * @Get('metrics') async metrics(@Res() res: Response) {
 *   const out = await this.tenancyMetrics.getPrometheusMetrics();
 *   if (!out) throw new NotFoundException();
 *   res.type(out.contentType).send(out.body);
 * }
 */
@Injectable()
export class TenancyMetricsService implements OnModuleInit {
  private registry?: Promise<Registry>;

  constructor(
    @Inject(TENANCY_OPTIONS) private readonly options: ResolvedTenancyOptions,
    @Inject(TenantStore) private readonly store: TenantStore,
    private readonly connections: TenantConnectionManager,
    private readonly resolution: ResolutionMetrics,
  ) {}

  /** Loads prom-client at start-up when `enableMetrics` is on, so a missing package stops the boot. */
  async onModuleInit(): Promise<void> {
    await this.getPrometheusRegistry();
  }

  /** The current snapshot: cache, connections, resolution counters, tenants by status (one count per status). */
  async getMetrics(): Promise<TenancyMetrics> {
    const byStatus = await this.countByStatus();
    const { dataSources, pool, scopeViolations } = this.connections.getMetrics();
    const { resolved, rejected } = this.resolution.snapshot();
    return {
      metricsEnabled: this.options.enableMetrics,
      ...cacheStats(this.store),
      dataSources: { cached: dataSources.cached, max: dataSources.max },
      pool: { total: pool.total, idle: pool.idle, waiting: pool.waiting },
      resolution: { resolved, rejected: { byReason: rejected.byReason } },
      scopeViolations,
      tenants: { byStatus },
    };
  }

  /** The prom-client registry of the tenancy metrics (to merge into yours), or `null` when `enableMetrics` is off. */
  getPrometheusRegistry(): Promise<Registry | null> {
    if (!this.options.enableMetrics) return Promise.resolve(null);
    this.registry ??= loadPromClient().then((prom) =>
      createTenancyRegistry(prom, async () => ({
        metrics: await this.getMetrics(),
        rateLimited: this.resolution.snapshot().rateLimited,
      })),
    );
    return this.registry;
  }

  /** The Prometheus text exposition, or `null` when `enableMetrics` is off. */
  async getPrometheusMetrics(): Promise<PrometheusExposition | null> {
    const registry = await this.getPrometheusRegistry();
    return registry && { contentType: registry.contentType, body: await registry.metrics() };
  }

  private async countByStatus(): Promise<Record<TenantStatus, number>> {
    const counts = await Promise.all(TENANT_STATUSES.map((status) => this.store.count({ status })));
    return Object.fromEntries(TENANT_STATUSES.map((status, i) => [status, counts[i]])) as Record<TenantStatus, number>;
  }
}

async function loadPromClient(): Promise<typeof import('prom-client')> {
  try {
    // Loaded only when asked for: prom-client is an optional peer dependency.
    return await import('prom-client');
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new TenancyConfigError(
      `${optionLabel('enableMetrics')} needs the prom-client package: npm install prom-client (${why})`,
    );
  }
}
