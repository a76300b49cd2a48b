import { TenancyConfigError } from '../../errors/tenancy-config.error';
import type { TenancyRequest } from '../tenant-resolver.interface';
import { SubdomainResolver } from './subdomain.resolver';

const request = (headers: TenancyRequest['headers']): TenancyRequest => ({ headers });

describe('SubdomainResolver', () => {
  const direct = new SubdomainResolver({ domainSuffix: 'example.com', trustProxy: false });
  const proxied = new SubdomainResolver({ domainSuffix: 'example.com', trustProxy: true });

  it.each<[string, TenancyRequest['headers'], string | null]>([
    ['one label', { host: 'acme.example.com' }, 'acme'],
    ['with a port', { host: 'acme.example.com:8443' }, 'acme'],
    ['upper case', { host: 'ACME.Example.COM' }, 'acme'],
    ['upper case with port', { host: 'ACME.EXAMPLE.COM:3000' }, 'acme'],
    ['the bare suffix', { host: 'example.com' }, null],
    ['the bare suffix with port', { host: 'example.com:80' }, null],
    ['a wrong suffix', { host: 'acme.example.org' }, null],
    ['a suffix that only ends alike', { host: 'acme.badexample.com' }, null],
    ['a host that goes on after the suffix', { host: 'acme.example.com.evil' }, null],
    ['a host that goes on after the suffix, with port', { host: 'acme.example.com.evil:443' }, null],
    ['an IP address', { host: '10.0.0.1:3000' }, null],
    ['an IPv6 literal', { host: '[::1]:3000' }, null],
    ['no Host', {}, null],
    [
      'X-Forwarded-Host ignored without trustProxy',
      { host: 'acme.example.com', 'x-forwarded-host': 'evil.example.com' },
      'acme',
    ],
    ['X-Forwarded-Host alone ignored without trustProxy', { 'x-forwarded-host': 'evil.example.com' }, null],
    [
      'a label that breaks the identifier rule is returned for the guard to refuse',
      { host: 'bad_name.example.com' },
      'bad_name',
    ],
  ])('direct: %s', (_name, headers, expected) => {
    expect(direct.resolve(request(headers))).toBe(expected);
  });

  it.each<[string, TenancyRequest['headers'], string | null]>([
    ['X-Forwarded-Host wins', { host: 'internal.example.com', 'x-forwarded-host': 'acme.example.com' }, 'acme'],
    ['X-Forwarded-Host with port and case', { host: 'lb', 'x-forwarded-host': 'ACME.example.com:443' }, 'acme'],
    ['first of a forwarded list', { host: 'lb', 'x-forwarded-host': 'acme.example.com, proxy.example.com' }, 'acme'],
    ['falls back to Host', { host: 'acme.example.com' }, 'acme'],
  ])('trustProxy: %s', (_name, headers, expected) => {
    expect(proxied.resolve(request(headers))).toBe(expected);
  });

  it.each<[string, SubdomainResolver, TenancyRequest['headers']]>([
    ['two labels', direct, { host: 'a.acme.example.com' }],
    ['two labels with port', direct, { host: 'www.acme.example.com:8080' }],
    ['two labels forwarded', proxied, { host: 'lb', 'x-forwarded-host': 'a.b.example.com' }],
    ['a repeated Host', direct, { host: ['acme.example.com', 'evil.example.com'] }],
  ])('refuses %s as malformed', (_name, resolver, headers) => {
    expect(() => resolver.resolve(request(headers))).toThrow(expect.objectContaining({ reason: 'malformed' }));
  });

  it('accepts a suffix written with a leading dot and needs one', () => {
    expect(new SubdomainResolver({ domainSuffix: '.example.com' }).resolve(request({ host: 'acme.example.com' }))).toBe(
      'acme',
    );
    expect(() => new SubdomainResolver({})).toThrow(TenancyConfigError);
  });
});
