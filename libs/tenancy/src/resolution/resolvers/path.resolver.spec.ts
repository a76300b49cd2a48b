import type { TenancyRequest } from '../tenant-resolver.interface';
import { PathResolver } from './path.resolver';

const at = (url: string, originalUrl?: string): TenancyRequest => ({ headers: {}, url, originalUrl });

describe('PathResolver', () => {
  const resolver = new PathResolver({ pathPrefix: '/t/' });

  it.each<[string, string, string | null]>([
    ['first segment after the prefix', '/t/acme/orders', 'acme'],
    ['the segment alone', '/t/acme', 'acme'],
    ['trailing slash', '/t/acme/', 'acme'],
    ['query string stripped', '/t/acme?page=2', 'acme'],
    ['query string after more path', '/t/acme/orders?x=/t/evil', 'acme'],
    ['fragment stripped', '/t/acme#top', 'acme'],
    ['no prefix', '/orders', null],
    ['prefix without a segment', '/t/', null],
    ['prefix without its slash', '/t', null],
    ['empty segment', '/t//orders', null],
    ['prefix not at the start', '/api/t/acme', null],
    ['prefix only in the query', '/orders?next=/t/acme', null],
    ['raw, not percent-decoded', '/t/ac%6De/orders', 'ac%6De'],
    ['case kept for the guard to refuse', '/t/ACME/orders', 'ACME'],
  ])('%s: %s', (_name, url, expected) => {
    expect(resolver.resolve(at(url))).toBe(expected);
  });

  it('prefers originalUrl (Express sub-routers rewrite url)', () => {
    expect(resolver.resolve(at('/orders', '/t/acme/orders'))).toBe('acme');
  });

  it('supports a longer prefix, with or without a trailing slash, and defaults to /t/', () => {
    expect(new PathResolver({ pathPrefix: '/api/tenants/' }).resolve(at('/api/tenants/acme/x'))).toBe('acme');
    expect(new PathResolver({ pathPrefix: '/api/tenants' }).resolve(at('/api/tenantsacme/x'))).toBeNull();
    expect(new PathResolver().resolve(at('/t/acme'))).toBe('acme');
  });
});
