import { TenancyError } from './tenancy.error';

/** No tenant has this id or identifier. */
export class TenantNotFoundError extends TenancyError {
  constructor(readonly idOrIdentifier: string) {
    super(`Tenant not found: ${JSON.stringify(idOrIdentifier.slice(0, 80))}`);
  }
}
