import type { ResolutionStrategy, TenancyModuleOptions } from '../../config/tenancy-options.interface';
import type { TenantResolver } from '../tenant-resolver.interface';
import { ChainResolver } from './chain.resolver';
import { HeaderResolver } from './header.resolver';
import { JwtClaimResolver } from './jwt-claim.resolver';
import { PathResolver } from './path.resolver';
import { SubdomainResolver } from './subdomain.resolver';

/**
 * The resolver the guard uses: custom `resolvers` first (in order), then the built-in one for
 * `resolutionStrategy` (none for `custom`). Throws `TenancyConfigError` when the built-in one
 * lacks what it needs (e.g. `jwtSecret`), so a bad configuration stops start-up.
 */
export function createTenantResolver(options: TenancyModuleOptions): TenantResolver {
  const builtIn = builtInResolver(options.resolutionStrategy ?? 'header', options);
  return new ChainResolver([...(options.resolvers ?? []), ...(builtIn ? [builtIn] : [])]);
}

function builtInResolver(strategy: ResolutionStrategy, options: TenancyModuleOptions): TenantResolver | null {
  switch (strategy) {
    case 'header':
      return new HeaderResolver(options);
    case 'subdomain':
      return new SubdomainResolver(options);
    case 'path':
      return new PathResolver(options);
    case 'jwt':
      return new JwtClaimResolver(options);
    case 'custom':
      return null;
  }
}
