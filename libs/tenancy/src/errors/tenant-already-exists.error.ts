import { TenancyError } from './tenancy.error';

/** A tenant with this identifier already exists (in any status, deleted included). */
export class TenantAlreadyExistsError extends TenancyError {
  constructor(readonly identifier: string) {
    super(`A tenant with identifier "${identifier}" already exists`);
  }
}
