import { TenancyError } from './tenancy.error';

/**
 * A statement about to leave a tenant view was not scoped to that view's tenant (the scoping
 * check at the bottom of the connection layer, issue 11). Nothing was sent; the count is in
 * `getMetrics().scopeViolations`.
 */
export class TenantScopeViolationError extends TenancyError {}
