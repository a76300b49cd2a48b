/**
 * Why the TenancyGuard refused a request. The client always gets the same 404; the reason
 * only reaches the debug log and `ResolutionMetrics`.
 * - `missing`: no identifier in the request (no header, bare domain, no path prefix, no token).
 * - `malformed`: an identifier that breaks the identifier rule, or an ambiguous value
 *   (a repeated header, two subdomain labels, a non-string claim).
 * - `unknown`: no tenant has this identifier.
 * - `suspended` / `deleted` / `provisioning`: the tenant exists but is not active.
 * - `invalid_token`: the JWT failed verification (signature, algorithm, exp, nbf, aud, iss).
 * - `lookup_error`: the tenant store failed.
 * - `resolver_error`: a custom resolver threw something other than a `TenantResolutionError`.
 */
export type RejectionReason =
  | 'missing'
  | 'malformed'
  | 'unknown'
  | 'suspended'
  | 'deleted'
  | 'provisioning'
  | 'invalid_token'
  | 'lookup_error'
  | 'resolver_error';

/** Every `RejectionReason`, in a stable order (metrics start each at 0). */
export const REJECTION_REASONS: readonly RejectionReason[] = [
  'missing',
  'malformed',
  'unknown',
  'suspended',
  'deleted',
  'provisioning',
  'invalid_token',
  'lookup_error',
  'resolver_error',
];
