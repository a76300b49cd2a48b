import { TenancyError } from './tenancy.error';

/** Invalid configuration; thrown at start-up. The message names the option and its `TENANCY_*` variable. */
export class TenancyConfigError extends TenancyError {
  constructor(
    message: string,
    /** Every problem found, one line each. */
    readonly problems: readonly string[] = [message],
  ) {
    super(message);
  }
}
