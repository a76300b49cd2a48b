import { TENANCY_DEFAULTS } from '../../config/tenancy.defaults';
import type { TenancyModuleOptions } from '../../config/tenancy-options.interface';
import type { TenancyRequest, TenantResolver } from '../tenant-resolver.interface';

/** Options read by `PathResolver` (defaults from `TENANCY_DEFAULTS`). */
export type PathResolverOptions = Pick<TenancyModuleOptions, 'pathPrefix'>;

/**
 * Reads the identifier from the first path segment after `pathPrefix` (default `/t/`):
 * `/t/acme/orders?x=1` → `acme`. The segment is taken raw (not percent-decoded), so an encoded
 * identifier fails validation instead of slipping past it. With a global prefix such as `/api`,
 * set `pathPrefix: '/api/t/'`.
 */
export class PathResolver implements TenantResolver {
  private readonly prefix: string;

  constructor(options: PathResolverOptions = {}) {
    const prefix = options.pathPrefix ?? TENANCY_DEFAULTS.pathPrefix;
    this.prefix = prefix.endsWith('/') ? prefix : `${prefix}/`;
  }

  resolve(request: TenancyRequest): string | null {
    const url = request.originalUrl ?? request.url ?? '';
    const path = url.split(/[?#]/, 1)[0];
    if (!path.startsWith(this.prefix)) return null;
    const segment = path.slice(this.prefix.length).split('/', 1)[0];
    return segment === '' ? null : segment;
  }
}
