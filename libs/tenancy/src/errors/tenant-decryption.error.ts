import { TenancyError } from './tenancy.error';

/** An encrypted field could not be decrypted: tampered, truncated, or written with another key. */
export class TenantDecryptionError extends TenancyError {
  constructor(reason: string) {
    super(
      `Cannot decrypt tenant field: ${reason}. Check TENANCY_ENCRYPTION_KEY / TENANCY_ENCRYPTION_KEYS ` +
        'and TENANCY_ENCRYPTION_HKDF_INFO.',
    );
  }
}
