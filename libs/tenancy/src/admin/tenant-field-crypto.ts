import { Inject, Injectable, Optional } from '@nestjs/common';
import { ENCRYPTED_METADATA_PREFIX, FieldEncryptor, type EncryptableTenantFields } from '../crypto/field-encryptor';
import type { Tenant } from '../models/tenant.model';

/**
 * @internal The admin side of field encryption: what goes to the store is encrypted (when
 * `enableEncryption` is on), what `decrypt` hands out is plain. A no-op when encryption is off.
 */
@Injectable()
export class TenantFieldCrypto {
  constructor(@Optional() @Inject(FieldEncryptor) readonly encryptor: FieldEncryptor | null = null) {}

  /** `fields` with `databaseUrl` and `_enc_*` metadata encrypted (values already `enc::` kept). */
  forStore<T extends EncryptableTenantFields>(fields: T): T {
    return this.encryptor ? this.encryptor.encryptTenantFields(fields) : fields;
  }

  /**
   * A frozen copy of `tenant` with plain values.
   * @throws TenantDecryptionError when a value is tampered with or no configured key opens it.
   */
  decrypt(tenant: Tenant): Tenant {
    const plain = this.encryptor ? this.encryptor.decryptTenantFields(tenant) : { ...tenant };
    return Object.freeze(plain);
  }

  /**
   * True when a key rotation should rewrite `tenant`: a value under an older key, or a plain
   * value in an encrypted field (written before encryption was turned on).
   * @throws TenantDecryptionError when no configured key opens one of its values.
   */
  needsRotation(tenant: Tenant): boolean {
    const enc = this.encryptor;
    if (!enc) return false;
    const secretKeys = Object.keys(tenant.metadata).filter((k) => k.startsWith(ENCRYPTED_METADATA_PREFIX));
    const values = [tenant.databaseUrl, ...secretKeys.map((k) => tenant.metadata[k])];
    if (values.some((v) => enc.isEncrypted(v) && enc.needsReEncryption(v))) return true;
    const encrypted = enc.encryptTenantFields(tenant);
    if (encrypted.databaseUrl !== tenant.databaseUrl) return true;
    return secretKeys.some((k) => encrypted.metadata[k] !== tenant.metadata[k]);
  }

  /** The tenant's encrypted fields rewritten under the current key. */
  reEncrypt(tenant: Tenant): Pick<Tenant, 'databaseUrl' | 'metadata'> {
    const plain = this.decrypt(tenant);
    const { databaseUrl, metadata } = this.forStore({ databaseUrl: plain.databaseUrl, metadata: plain.metadata });
    return { databaseUrl, metadata };
  }
}
