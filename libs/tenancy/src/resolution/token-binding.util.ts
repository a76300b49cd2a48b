import type { ResolvedTenancyOptions } from '../config/tenancy-options.interface';
import { JwtClaimResolver } from './resolvers/jwt-claim.resolver';
import { TenantResolutionError } from './tenant-resolution.error';
import type { TenancyRequest } from './tenant-resolver.interface';

/**
 * @internal The reader of a verified token's tenant claim that binds the other sources, when
 * `jwtSecret` is set and another source than the JWT resolver can answer; otherwise `null`.
 */
export function tokenBindingFor(options: ResolvedTenancyOptions): JwtClaimResolver | null {
  // With only the JWT resolver the claim is the sole source: nothing else to bind.
  const jwtOnly = options.resolutionStrategy === 'jwt' && (options.resolvers ?? []).length === 0;
  return options.jwtSecret && !jwtOnly ? new JwtClaimResolver(options) : null;
}

/**
 * @internal Throws `conflict` when the request's verified token claims another tenant than
 * `identifier`. A token that does not verify, or has no claim, carries nothing and binds nothing.
 */
export function checkTokenBinding(claims: JwtClaimResolver, identifier: string, request: TenancyRequest): void {
  let claimed: string | null;
  try {
    claimed = claims.resolve(request);
  } catch (error) {
    if (error instanceof TenantResolutionError) return;
    throw error;
  }
  if (claimed !== null && claimed !== identifier)
    throw new TenantResolutionError('conflict', 'the token names another tenant', identifier);
}
