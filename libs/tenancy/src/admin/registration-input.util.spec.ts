import { TenancyError } from '../errors/tenancy.error';
import { identifierLabel, validateRegistration } from './registration-input.util';

const options = {
  isolationStrategy: 'hybrid' as const,
  premiumIsolationStrategy: 'database' as const,
  standardIsolationStrategy: 'schema' as const,
  premiumTenants: [],
};

describe('validateRegistration', () => {
  it('returns the row to reserve: provisioning, placed, plain values, defaults filled', () => {
    expect(validateRegistration({ identifier: 'acme', name: 'Acme' }, options)).toEqual({
      identifier: 'acme',
      name: 'Acme',
      status: 'provisioning',
      isolationStrategy: 'schema',
      tier: 'standard',
      databaseUrl: null,
      metadata: {},
    });
    expect(
      validateRegistration(
        { identifier: 'big-co', name: 'B', tier: 'premium', databaseUrl: 'postgresql://x/y', metadata: { a: 1 } },
        options,
      ),
    ).toMatchObject({
      isolationStrategy: 'database',
      tier: 'premium',
      databaseUrl: 'postgresql://x/y',
      metadata: { a: 1 },
    });
  });

  it.each([
    [{ identifier: 'Acme', name: 'x' }, /Invalid tenant identifier/],
    [{ identifier: 'a'.repeat(300), name: 'x' }, /Invalid tenant identifier/],
    [{ identifier: 'acme', name: '  ' }, /name must be a non-empty string/],
    [{ identifier: 'acme', name: 'x', tier: '' }, /tier must be/],
    [{ identifier: 'acme', name: 'x', metadata: [] }, /metadata must be a plain object/],
    [{ identifier: 'acme', name: 'x', metadata: new Date() }, /metadata must be a plain object/],
    [
      { identifier: 'acme', name: 'x', databaseUrl: 'postgresql://x/y' },
      /only for database-per-tenant tenants \(this one is placed on schema\)/,
    ],
  ])('refuses %p', (input, message) => {
    expect(() => validateRegistration(input as never, options)).toThrow(TenancyError);
    expect(() => validateRegistration(input as never, options)).toThrow(message);
  });

  it('refuses input that is not an object', () => {
    expect(() => validateRegistration(null as never, options)).toThrow(/needs \{ identifier, name \}/);
  });
});

describe('identifierLabel', () => {
  it('names the identifier, bounded, or its type', () => {
    expect(identifierLabel({ identifier: 'acme' })).toBe('acme');
    expect(identifierLabel({ identifier: 'x'.repeat(500) })).toHaveLength(64);
    expect(identifierLabel({ identifier: 42 })).toBe('(number)');
    expect(identifierLabel(null)).toBe('(undefined)');
  });
});
