import { envName } from './option-specs';
describe('envName', () => {
  it('maps camelCase to TENANCY_UPPER_SNAKE', () => {
    expect(envName('isolationStrategy')).toBe('TENANCY_ISOLATION_STRATEGY');
    expect(envName('l1CacheTtlSeconds')).toBe('TENANCY_L1_CACHE_TTL_SECONDS');
  });
});
