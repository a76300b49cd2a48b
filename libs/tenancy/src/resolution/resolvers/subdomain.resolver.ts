import { TENANCY_DEFAULTS } from '../../config/tenancy.defaults';
import { compileTrustedProxies, type ProxyTrust } from '../../config/trusted-proxies.util';
import { TenancyConfigError } from '../../errors/tenancy-config.error';
import type { TenancyModuleOptions } from '../../config/tenancy-options.interface';
import { TenantResolutionError } from '../tenant-resolution.error';
import type { TenancyRequest, TenantResolver } from '../tenant-resolver.interface';
import { readSingleHeader } from './request-header.util';

/** Options read by `SubdomainResolver`. */
export type SubdomainResolverOptions = Pick<TenancyModuleOptions, 'domainSuffix' | 'trustProxy' | 'trustedProxies'>;

/**
 * Reads the identifier from the one label before `domainSuffix` in `Host`
 * (`acme.example.com` → `acme`). `X-Forwarded-Host` is read only with `trustProxy`, and only
 * when the peer is in `trustedProxies` (default `loopback`): a client can set it to anything.
 * A forwarded list (`a, b`) is `malformed`: a proxy that appends would put the client's value
 * first. The port is stripped and the host lowercased. A host outside the suffix, or the bare
 * suffix, has no identifier; two labels (`a.b.example.com`) are `malformed`.
 * @example new SubdomainResolver({ domainSuffix: 'example.com', trustProxy: false })
 */
export class SubdomainResolver implements TenantResolver {
  private readonly suffix: string;
  private readonly trusted: ProxyTrust | null;

  constructor(options: SubdomainResolverOptions) {
    const suffix = (options.domainSuffix ?? '').trim().toLowerCase().replace(/^\./, '');
    if (!suffix)
      throw new TenancyConfigError('SubdomainResolver needs domainSuffix (TENANCY_DOMAIN_SUFFIX), e.g. example.com');
    this.suffix = `.${suffix}`;
    this.trusted = options.trustProxy
      ? compileTrustedProxies(options.trustedProxies ?? TENANCY_DEFAULTS.trustedProxies)
      : null;
  }

  resolve(request: TenancyRequest): string | null {
    const forwarded = this.fromTrustedProxy(request) ? readSingleHeader(request, 'x-forwarded-host') : null;
    if (forwarded?.includes(',')) throw new TenantResolutionError('malformed', 'X-Forwarded-Host lists several hosts');
    const raw = forwarded || readSingleHeader(request, 'host');
    if (!raw) return null;
    const host = stripPort(raw).toLowerCase();
    if (!host.endsWith(this.suffix)) return null;
    const label = host.slice(0, -this.suffix.length);
    if (label === '') return null;
    if (label.includes('.'))
      throw new TenantResolutionError('malformed', 'more than one label before the domain suffix');
    return label;
  }

  private fromTrustedProxy(request: TenancyRequest): boolean {
    if (!this.trusted) return false;
    const peer = request.socket?.remoteAddress ?? request.raw?.socket?.remoteAddress;
    return typeof peer === 'string' && this.trusted(peer);
  }
}

function stripPort(host: string): string {
  if (host.startsWith('[')) return host; // IPv6 literal: never under a domain suffix anyway
  const colon = host.indexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}
