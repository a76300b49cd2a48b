/**
 * Why the TenancyGuard refused a request. The client always gets the same 404; the reason
 * only reaches the debug log and `ResolutionMetrics`.
 * - `missing`: no identifier in the request (no header, bare domain, no path prefix, no token).
 * - `malformed`: an identifier that breaks the identifier rule, or an ambiguous value
 *   (a repeated header, two subdomain labels, a non-string claim).
 * - `unknown`: no tenant has this identifier.
 * - `suspended` / `deleted` / `provisioning`: the tenant exists but is not active.
 * - `invalid_token`: the JWT failed verification (signature, algorithm, exp, nbf, aud, iss).
 * - `conflict`: a verified token's tenant claim names another tenant than the source that answered.
 * - `not_member`: the application's `TenantMembership` refused the caller (or failed).
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
  | 'conflict'
  | 'not_member'
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
  'conflict',
  'not_member',
  'lookup_error',
  'resolver_error',
];
