import { TenancyError } from '../errors/tenancy.error';
import type { RejectionReason } from './rejection-reason';

/**
 * Thrown by a resolver (or a guard step) to refuse a request for a known reason. The guard turns
 * it into the uniform 404 and records `reason`; the message never reaches the client.
 * Custom resolvers may throw it too.
 * @example throw new TenantResolutionError('malformed', 'two tenant headers');
 */
export class TenantResolutionError extends TenancyError {
  constructor(
    readonly reason: RejectionReason,
    detail: string = reason,
    /** The identifier concerned, only once it passed validation (safe to log). */
    readonly identifier?: string,
  ) {
    super(`Tenant resolution failed (${reason}): ${detail}`);
  }
}
