import { TenancyConfigError } from '../../errors/tenancy-config.error';
import type { TenancyModuleOptions } from '../../config/tenancy-options.interface';
import { TenantResolutionError } from '../tenant-resolution.error';
import type { TenancyRequest, TenantResolver } from '../tenant-resolver.interface';
import { readSingleHeader } from './request-header.util';

/** Options read by `SubdomainResolver`. */
export type SubdomainResolverOptions = Pick<TenancyModuleOptions, 'domainSuffix' | 'trustProxy'>;

/**
 * Reads the identifier from the one label before `domainSuffix` in `Host`
 * (`acme.example.com` → `acme`). `X-Forwarded-Host` is read only with `trustProxy` (a client
 * can set it to anything). The port is stripped and the host lowercased. A host outside the
 * suffix, or the bare suffix, has no identifier; two labels (`a.b.example.com`) are `malformed`.
 * @example new SubdomainResolver({ domainSuffix: 'example.com', trustProxy: false })
 */
export class SubdomainResolver implements TenantResolver {
  private readonly suffix: string;
  private readonly trustProxy: boolean;

  constructor(options: SubdomainResolverOptions) {
    const suffix = (options.domainSuffix ?? '').trim().toLowerCase().replace(/^\./, '');
    if (!suffix)
      throw new TenancyConfigError('SubdomainResolver needs domainSuffix (TENANCY_DOMAIN_SUFFIX), e.g. example.com');
    this.suffix = `.${suffix}`;
    this.trustProxy = options.trustProxy ?? false;
  }

  resolve(request: TenancyRequest): string | null {
    const raw = (this.trustProxy && readSingleHeader(request, 'x-forwarded-host')) || readSingleHeader(request, 'host');
    if (!raw) return null;
    // A proxy chain may list several hosts: the first is the one the client asked for.
    const host = stripPort(raw.split(',')[0].trim()).toLowerCase();
    if (!host.endsWith(this.suffix)) return null;
    const label = host.slice(0, -this.suffix.length);
    if (label === '') return null;
    if (label.includes('.'))
      throw new TenantResolutionError('malformed', 'more than one label before the domain suffix');
    return label;
  }
}

function stripPort(host: string): string {
  if (host.startsWith('[')) return host; // IPv6 literal: never under a domain suffix anyway
  const colon = host.indexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}
