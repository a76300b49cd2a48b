import type { Tenant } from '../models/tenant.model';
import { TenantL1Cache } from './tenant-l1.cache';

const tenant = (identifier: string): Tenant =>
  ({
    id: `id-${identifier}`,
    identifier,
    name: identifier,
    status: 'active',
    isolationStrategy: 'schema',
    tier: 'standard',
    databaseUrl: null,
    metadata: {},
    createdAt: new Date(0),
    updatedAt: new Date(0),
  }) as Tenant;

/** lru-cache reads its clock at most every `ttlResolution` (1 ms): a remaining TTL can read that much over. */
const CLOCK_MS = 2;

/** Issue 18: an L1 copy never outlives the rest of the TTL it is given (an L2 entry's remaining life). */
describe('TenantL1Cache.fill', () => {
  const cache = () => new TenantL1Cache(10, 60_000, 5_000);

  it('caches for the full TTL by default, under both keys', () => {
    const l1 = cache();
    l1.fill(tenant('acme'));
    expect(l1.byIdentifier.get('acme')).toMatchObject({ identifier: 'acme' });
    expect(l1.byId.getRemainingTTL('id-acme')).toBeGreaterThan(59_000);
  });

  it('caches for the remaining time given, never beyond the TTL', () => {
    const l1 = cache();
    l1.fill(tenant('short'), 1_500);
    expect(l1.byIdentifier.getRemainingTTL('short')).toBeLessThanOrEqual(1_500 + CLOCK_MS);
    expect(l1.byId.getRemainingTTL('id-short')).toBeLessThanOrEqual(1_500 + CLOCK_MS);
    l1.fill(tenant('long'), 10 * 60_000);
    expect(l1.byIdentifier.getRemainingTTL('long')).toBeLessThanOrEqual(60_000 + CLOCK_MS);
  });

  it('caches nothing when no time is left (an expired or expiring L2 entry)', () => {
    const l1 = cache();
    for (const ms of [0, 0.5, -1, -2]) l1.fill(tenant('gone'), ms);
    expect(l1.byIdentifier.has('gone')).toBe(false);
    expect(l1.byId.has('id-gone')).toBe(false);
  });
});
