import { TenantResolutionError } from '../tenant-resolution.error';
import type { TenancyRequest, TenantResolver } from '../tenant-resolver.interface';
import { ChainResolver } from './chain.resolver';
import { createTenantResolver } from './create-tenant-resolver';
import { resolveTenancyOptions } from '../../config/resolve-tenancy-options';
import { TenancyConfigError } from '../../errors/tenancy-config.error';

const fixed = (value: string | null): TenantResolver => ({ resolve: jest.fn(() => value) });
const req: TenancyRequest = { headers: { 'x-tenant-id': 'from-header' }, url: '/t/from-path/x' };

describe('ChainResolver', () => {
  it('returns the first answer and stops there', async () => {
    const last = fixed('third');
    const chain = new ChainResolver([fixed(null), { resolve: async () => 'second' }, last]);
    await expect(chain.resolve(req)).resolves.toBe('second');
    expect(last.resolve).not.toHaveBeenCalled();
  });

  it('treats empty string as no answer and returns null when nobody answers', async () => {
    expect(new ChainResolver([fixed(''), fixed('b')]).resolve(req)).toBe('b');
    expect(new ChainResolver([fixed(null)]).resolve(req)).toBeNull();
    expect(new ChainResolver([]).resolve(req)).toBeNull();
  });

  it('answers synchronously while its resolvers do (no promise per request), and waits for an async one', async () => {
    expect(new ChainResolver([fixed(null), fixed('a')]).resolve(req)).toBe('a');
    const later = fixed('later');
    const pending = new ChainResolver([{ resolve: async () => null }, later]).resolve(req);
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).resolves.toBe('later');
    await expect(new ChainResolver([{ resolve: async () => '' }, fixed(null)]).resolve(req)).resolves.toBeNull();
  });

  it('stops on a throwing resolver (a bad value is a rejection)', async () => {
    const next = fixed('b');
    const throwing: TenantResolver = {
      resolve: () => {
        throw new TenantResolutionError('malformed');
      },
    };
    expect(() => new ChainResolver([throwing, next]).resolve(req)).toThrow(
      expect.objectContaining({ reason: 'malformed' }),
    );
    const rejecting: TenantResolver = { resolve: () => Promise.reject(new TenantResolutionError('malformed')) };
    await expect(new ChainResolver([rejecting, next]).resolve(req)).rejects.toMatchObject({ reason: 'malformed' });
    expect(next.resolve).not.toHaveBeenCalled();
  });
});

describe('createTenantResolver', () => {
  const base = { databaseUrl: 'sqlite::memory:' };

  it.each<[string, object, string | null]>([
    ['header', { resolutionStrategy: 'header' }, 'from-header'],
    ['path', { resolutionStrategy: 'path' }, 'from-path'],
    ['custom resolvers come first', { resolutionStrategy: 'header', resolvers: [fixed('custom')] }, 'custom'],
    [
      'built-in after a custom that has no answer',
      { resolutionStrategy: 'path', resolvers: [fixed(null)] },
      'from-path',
    ],
    ['custom only: no built-in', { resolutionStrategy: 'custom', resolvers: [fixed(null)] }, null],
  ])('%s', async (_name, options, expected) => {
    const resolver = createTenantResolver(resolveTenancyOptions({ ...base, ...options }));
    await expect(Promise.resolve(resolver.resolve(req))).resolves.toBe(expected);
  });

  it('fails at start-up when the built-in resolver lacks what it needs', () => {
    expect(() => createTenantResolver({ ...base, resolutionStrategy: 'jwt' })).toThrow(TenancyConfigError);
    expect(() => createTenantResolver({ ...base, resolutionStrategy: 'subdomain' })).toThrow(TenancyConfigError);
  });
});
