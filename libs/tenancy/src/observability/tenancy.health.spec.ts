import type { TenantConnectionManager } from '../connection/tenant-connection.manager';
import type { TenancyDataSources } from '../connection/tenancy-data-sources';
import { TenancyHealthIndicator } from './tenancy.health';

function indicator(query: () => Promise<unknown>, pool = { total: 10, idle: 9, waiting: 0 }): TenancyHealthIndicator {
  const sources = { root: { query } } as unknown as TenancyDataSources;
  const connections = {
    getMetrics: () => ({ dataSources: { cached: 0, max: 100 }, views: 0, pool }),
  } as unknown as TenantConnectionManager;
  return new TenancyHealthIndicator(sources, connections);
}

describe('TenancyHealthIndicator', () => {
  it('is up when the database answers and the pool has room', async () => {
    expect(await indicator(async () => [{ '?column?': 1 }]).isHealthy()).toEqual({
      tenancy: { status: 'up', database: 'up', pool: { total: 10, idle: 9, waiting: 0 } },
    });
  });

  it('is up on drivers without pool counts (all 0)', async () => {
    const result = await indicator(async () => [], { total: 0, idle: 0, waiting: 0 }).isHealthy('db');
    expect(result.db.status).toBe('up');
  });

  it('is down, naming the error code only, when the database refuses', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED postgresql://user:secret@db'), {
      code: 'ECONNREFUSED',
    });
    const result = await indicator(() => Promise.reject(refused)).isHealthy();
    expect(result.tenancy).toMatchObject({
      status: 'down',
      database: 'down',
      message: 'database unreachable (ECONNREFUSED)',
    });
    expect(JSON.stringify(result)).not.toContain('secret');
  });

  it('is down when the database does not answer in time', async () => {
    const result = await indicator(() => new Promise(() => undefined)).isHealthy('tenancy', { timeoutMs: 20 });
    expect(result.tenancy).toMatchObject({ status: 'down', message: 'database timeout after 20 ms' });
  });

  it('is down when as many requests wait for a connection as the pool holds', async () => {
    const result = await indicator(async () => [], { total: 4, idle: 0, waiting: 4 }).isHealthy();
    expect(result.tenancy).toMatchObject({
      status: 'down',
      database: 'up',
      message: 'pool exhausted (4 waiting for 4 connections)',
    });
    expect((await indicator(async () => [], { total: 4, idle: 0, waiting: 3 }).isHealthy()).tenancy.status).toBe('up');
  });
});
