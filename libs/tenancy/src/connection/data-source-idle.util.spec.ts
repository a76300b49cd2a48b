import type { DataSource } from 'typeorm';
import { isDataSourceIdle, whenDataSourceIdle } from './data-source-idle.util';

const ds = (driver: object) => ({ driver }) as unknown as DataSource;
const pool = (totalCount: number, idleCount: number, waitingCount = 0) => ({ totalCount, idleCount, waitingCount });

describe('isDataSourceIdle', () => {
  it('is busy while a query runner holds a connection, one is checked out, or one is awaited', () => {
    expect(isDataSourceIdle(ds({ connectedQueryRunners: [{}], master: pool(1, 1) }))).toBe(false);
    expect(isDataSourceIdle(ds({ connectedQueryRunners: [], master: pool(2, 1) }))).toBe(false);
    expect(isDataSourceIdle(ds({ connectedQueryRunners: [], master: pool(2, 2, 1) }))).toBe(false);
  });

  it('is idle when every pooled connection is idle, and for drivers without pg counters', () => {
    expect(isDataSourceIdle(ds({ connectedQueryRunners: [], master: pool(2, 2) }))).toBe(true);
    expect(isDataSourceIdle(ds({ master: { getConnection() {} } }))).toBe(true);
    expect(isDataSourceIdle(ds({}))).toBe(true);
  });
});

describe('whenDataSourceIdle', () => {
  it('resolves once the last connection is back', async () => {
    const master = pool(1, 0);
    setTimeout(() => (master.idleCount = 1), 30);
    const started = Date.now();
    await whenDataSourceIdle(ds({ connectedQueryRunners: [], master }), 5);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('needs two idle checks a macrotask apart: a connection checked out right after the first one counts', async () => {
    const master = pool(1, 1);
    const idle = whenDataSourceIdle(ds({ connectedQueryRunners: [], master }), 20);
    void Promise.resolve().then(() => (master.idleCount = 0)); // checked out by a microtask chain
    setTimeout(() => (master.idleCount = 1), 60);
    const started = Date.now();
    await idle;
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('gives up after maxWaitMs (a connection never given back must not pin the pool)', async () => {
    await expect(whenDataSourceIdle(ds({ master: pool(1, 0) }), 5, 30)).resolves.toBeUndefined();
  });
});
