import { Inject, Injectable } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { TenantConnectionManager } from '../connection/tenant-connection.manager';
import type { TenancyDataSources } from '../connection/tenancy-data-sources';
import { TENANCY_DATA_SOURCES } from '../tenancy.constants';

/** Options of `TenancyHealthIndicator.isHealthy`. */
export interface TenancyHealthOptions {
  /** How long the database may take to answer `SELECT 1`. Default 2000 ms. */
  readonly timeoutMs?: number;
}

/**
 * A @nestjs/terminus health indicator: the tenancy database answers `SELECT 1` in time and the
 * shared pool is not exhausted (fewer requests waiting for a connection than the pool holds).
 * It builds terminus's result object itself, so the library loads without @nestjs/terminus.
 * @example
 * @Get('health') @HealthCheck()
 * check() { return this.health.check([() => this.tenancy.isHealthy('tenancy')]); }
 */
@Injectable()
export class TenancyHealthIndicator {
  constructor(
    @Inject(TENANCY_DATA_SOURCES) private readonly sources: TenancyDataSources,
    private readonly connections: TenantConnectionManager,
  ) {}

  /** `{ [key]: { status: 'up' | 'down', database, pool, message? } }`; terminus answers 503 on `down`. */
  async isHealthy<Key extends string = 'tenancy'>(
    key: Key = 'tenancy' as Key,
    options: TenancyHealthOptions = {},
  ): Promise<HealthIndicatorResult<Key>> {
    // Read before querying: the probe itself takes a connection.
    const { pool } = this.connections.getMetrics();
    const database = await this.ping(options.timeoutMs ?? 2000);
    const exhausted = pool.total > 0 && pool.waiting >= pool.total;
    const problems = [
      database === 'up' ? '' : `database ${database}`,
      exhausted ? `pool exhausted (${pool.waiting} waiting for ${pool.total} connections)` : '',
    ].filter(Boolean);
    const result = {
      status: problems.length ? ('down' as const) : ('up' as const),
      database: database === 'up' ? 'up' : 'down',
      pool: { ...pool },
      ...(problems.length ? { message: problems.join('; ') } : {}),
    };
    return { [key]: result } as Record<Key, typeof result>;
  }

  /** `up`, `timeout after …`, or `unreachable (<code>)`: never the error message, which may hold the URL. */
  private async ping(timeoutMs: number): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`timeout after ${timeoutMs} ms`), timeoutMs);
      timer.unref();
    });
    const query = this.sources.root.query('SELECT 1').then(
      () => 'up',
      (error: unknown) => `unreachable (${errorCode(error)})`,
    );
    try {
      return await Promise.race([query, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' || typeof code === 'number') return String(code);
  return error instanceof Error ? error.name : typeof error;
}
