import type { SoakConfig } from './support/soak-scenario';

/**
 * The soak's shape, shared by `npm test` (short) and `npm run soak` (long): 200 tenants over
 * the three strategies in one hybrid app, shared pool of 4, 64 clients, 2% of requests throwing
 * inside a transaction, 2% of clients leaving mid-request. 20 database tenants over at most 16
 * cached DataSources, so DataSources are evicted (and closed) while requests run.
 */
export const SOAK_SHAPE: Omit<SoakConfig, 'name' | 'sandbox' | 'requests' | 'seed'> = {
  counts: { schema: 100, rls: 80, database: 20 },
  concurrency: 64,
  poolSize: 4,
  maxCachedDataSources: 16,
  failRate: 0.02,
  abortRate: 0.02,
};
