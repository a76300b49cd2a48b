import { TenancyError } from './tenancy.error';

/** Registration failed at `step`; everything done before it was rolled back. */
export class TenantProvisioningError extends TenancyError {
  constructor(
    readonly identifier: string,
    readonly step: string,
    readonly cause?: unknown,
  ) {
    const why = cause instanceof Error ? cause.message : String(cause ?? 'unknown error');
    super(`Provisioning tenant "${identifier}" failed at step "${step}" (rolled back): ${why}`);
  }
}
