import * as testing from './index';
import type { CrossTenantLeakCheck, LeakCheckRoute, TenancyTestingOptions } from './index';

/** The public surface of `nestjs-tenancy/testing`: a removal or an accidental export fails here. */
describe('nestjs-tenancy/testing surface', () => {
  it('exports exactly the documented runtime names', () => {
    expect(Object.keys(testing).sort()).toEqual(
      [
        'CrossTenantLeakError',
        'TenancyTestingModule',
        'assertNoCrossTenantLeaks',
        'tenantHeaders',
        'testTenant',
      ].sort(),
    );
  });

  it('keeps its option types', () => {
    const options: TenancyTestingOptions = { tenants: ['acme'] };
    const route: LeakCheckRoute = { method: 'GET', path: '/orders' };
    const check: CrossTenantLeakCheck = { tenants: ['a', 'b'], routes: [route], seed: () => undefined };
    expect([options.tenants, check.routes]).toEqual([['acme'], [route]]);
  });
});
