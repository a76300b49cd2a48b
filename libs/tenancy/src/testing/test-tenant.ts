import { randomUUID } from 'node:crypto';
import type { Tenant } from '../models/tenant.model';

/**
 * An active, frozen `Tenant` for your own tests (e.g. `TenantContext.run(testTenant('acme'), fn)`).
 * Defaults: schema isolation, standard tier, a fresh uuid; override any field.
 * @example const acme = testTenant('acme', { isolationStrategy: 'rls' });
 */
export function testTenant(identifier: string, overrides: Partial<Tenant> = {}): Tenant {
  const now = new Date(0);
  return Object.freeze({
    id: randomUUID(),
    identifier,
    name: identifier,
    status: 'active',
    isolationStrategy: 'schema',
    tier: 'standard',
    databaseUrl: null,
    metadata: {},
    createdAt: now,
    updatedAt: now,
    ...overrides,
  });
}
