import { TenancyConfigError } from '../../errors/tenancy-config.error';
import type { TenancyRequest } from '../tenant-resolver.interface';
import { SubdomainResolver } from './subdomain.resolver';

const request = (headers: TenancyRequest['headers']): TenancyRequest => ({ headers });

describe('SubdomainResolver', () => {
  const direct = new SubdomainResolver({ domainSuffix: 'example.com', trustProxy: false });
  const proxied = new SubdomainResolver({ domainSuffix: 'example.com', trustProxy: true });
  const fromProxy = (headers: TenancyRequest['headers'], remoteAddress = '127.0.0.1'): TenancyRequest => ({
    headers,
    socket: { remoteAddress },
  });

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
    ['falls back to Host', { host: 'acme.example.com' }, 'acme'],
  ])('trustProxy, from a trusted proxy: %s', (_name, headers, expected) => {
    expect(proxied.resolve(fromProxy(headers))).toBe(expected);
  });

  describe('trustedProxies', () => {
    const forwarded = { host: 'beta.example.com', 'x-forwarded-host': 'acme.example.com' };
    const listed = new SubdomainResolver({
      domainSuffix: 'example.com',
      trustProxy: true,
      trustedProxies: ['10.0.0.0/8', '192.168.1.7'],
    });

    it.each<[string, SubdomainResolver, string | undefined, string]>([
      ['loopback by default', proxied, '127.0.0.1', 'acme'],
      ['loopback by default (IPv6)', proxied, '::1', 'acme'],
      ['loopback by default (IPv4-mapped)', proxied, '::ffff:127.0.0.1', 'acme'],
      ['a direct client by default', proxied, '203.0.113.9', 'beta'],
      ['an unknown sender', proxied, undefined, 'beta'],
      ['inside a listed CIDR', listed, '10.1.2.3', 'acme'],
      ['a listed address', listed, '192.168.1.7', 'acme'],
      ['a neighbour of a listed address', listed, '192.168.1.8', 'beta'],
      ['loopback when not listed', listed, '127.0.0.1', 'beta'],
    ])('%s', (_name, resolver, remoteAddress, expected) => {
      expect(resolver.resolve({ headers: forwarded, socket: { remoteAddress } })).toBe(expected);
    });

    it("reads Fastify's raw socket too", () => {
      expect(listed.resolve({ headers: forwarded, raw: { socket: { remoteAddress: '10.0.0.1' } } })).toBe('acme');
    });

    it('never reads X-Forwarded-Host without trustProxy, whoever sends it', () => {
      expect(direct.resolve(fromProxy(forwarded))).toBe('beta');
    });

    it('refuses addresses proxy-addr cannot read, naming the option', () => {
      expect(
        () => new SubdomainResolver({ domainSuffix: 'example.com', trustProxy: true, trustedProxies: ['not-an-ip'] }),
      ).toThrow(/TENANCY_TRUSTED_PROXIES must list .* \(option trustedProxies\)/);
    });
  });

  it.each<[string, SubdomainResolver, TenancyRequest['headers']]>([
    ['two labels', direct, { host: 'a.acme.example.com' }],
    ['two labels with port', direct, { host: 'www.acme.example.com:8080' }],
    ['two labels forwarded', proxied, { host: 'lb', 'x-forwarded-host': 'a.b.example.com' }],
    ['a forwarded list', proxied, { host: 'lb', 'x-forwarded-host': 'acme.example.com, proxy.example.com' }],
    ['a repeated Host', direct, { host: ['acme.example.com', 'evil.example.com'] }],
  ])('refuses %s as malformed', (_name, resolver, headers) => {
    expect(() => resolver.resolve(fromProxy(headers))).toThrow(expect.objectContaining({ reason: 'malformed' }));
  });

  it('accepts a suffix written with a leading dot and needs one', () => {
    expect(new SubdomainResolver({ domainSuffix: '.example.com' }).resolve(request({ host: 'acme.example.com' }))).toBe(
      'acme',
    );
    expect(() => new SubdomainResolver({})).toThrow(TenancyConfigError);
  });
});
