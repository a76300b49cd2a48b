import { placeTenant } from './tenant-placement.util';

const hybrid = {
  isolationStrategy: 'hybrid' as const,
  premiumIsolationStrategy: 'database' as const,
  standardIsolationStrategy: 'schema' as const,
  premiumTenants: ['big-co'],
};

describe('placeTenant', () => {
  it('uses the configured strategy for everyone outside hybrid', () => {
    expect(placeTenant({ ...hybrid, isolationStrategy: 'rls' }, 'big-co', 'premium')).toEqual({
      isolationStrategy: 'rls',
      tier: 'premium',
    });
    expect(placeTenant({ ...hybrid, isolationStrategy: 'schema' }, 'acme', undefined)).toEqual({
      isolationStrategy: 'schema',
      tier: 'standard',
    });
  });

  it('places premium-tier tenants on the premium strategy', () => {
    expect(placeTenant(hybrid, 'acme', 'premium')).toEqual({ isolationStrategy: 'database', tier: 'premium' });
  });

  it('places identifiers listed in premiumTenants on the premium strategy and stores the tier', () => {
    expect(placeTenant(hybrid, 'big-co', undefined)).toEqual({ isolationStrategy: 'database', tier: 'premium' });
  });

  it('keeps an explicit tier as given', () => {
    expect(placeTenant(hybrid, 'big-co', 'gold')).toEqual({ isolationStrategy: 'database', tier: 'gold' });
    expect(placeTenant(hybrid, 'acme', 'gold')).toEqual({ isolationStrategy: 'schema', tier: 'gold' });
  });

  it('places everyone else on the standard strategy', () => {
    expect(placeTenant(hybrid, 'acme', undefined)).toEqual({ isolationStrategy: 'schema', tier: 'standard' });
  });
});
