import { TenancyError } from './tenancy.error';

/** Code that needs a tenant ran outside one (no request tenant, no `TenantContext.run`). */
export class TenantContextMissingError extends TenancyError {
  constructor(what = 'This operation') {
    super(
      `${what} needs a current tenant, but none is set. Inside HTTP the TenancyGuard sets it; ` +
        'in jobs, queues, cron and CLI wrap the work in TenantContext.run(tenant, fn).',
    );
  }
}
