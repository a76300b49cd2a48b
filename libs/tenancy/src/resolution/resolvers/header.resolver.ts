import { TENANCY_DEFAULTS } from '../../config/tenancy.defaults';
import type { TenancyModuleOptions } from '../../config/tenancy-options.interface';
import type { TenancyRequest, TenantResolver } from '../tenant-resolver.interface';
import { readSingleHeader } from './request-header.util';

/** Options read by `HeaderResolver` (defaults from `TENANCY_DEFAULTS`). */
export type HeaderResolverOptions = Pick<TenancyModuleOptions, 'tenantHeaderName'>;

/**
 * Reads the identifier from `tenantHeaderName` (default `X-Tenant-ID`): the name matches
 * case-insensitively and the value is trimmed. A repeated header is refused (`malformed`).
 * @example new HeaderResolver({ tenantHeaderName: 'X-Org' })
 */
export class HeaderResolver implements TenantResolver {
  private readonly headerName: string;

  constructor(options: HeaderResolverOptions = {}) {
    this.headerName = options.tenantHeaderName ?? TENANCY_DEFAULTS.tenantHeaderName;
  }

  resolve(request: TenancyRequest): string | null {
    return readSingleHeader(request, this.headerName);
  }
}
