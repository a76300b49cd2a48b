import { Inject, Injectable, Optional } from '@nestjs/common';
import { ENCRYPTED_METADATA_PREFIX, FieldEncryptor, type EncryptableTenantFields } from '../crypto/field-encryptor';
import { toMetadataPlaintext } from '../crypto/metadata-value.codec';
import type { Tenant } from '../models/tenant.model';

/**
 * @internal The admin side of field encryption: what goes to the store is encrypted (when
 * `enableEncryption` is on), what `decrypt` hands out is plain. A no-op when encryption is off.
 */
@Injectable()
export class TenantFieldCrypto {
  constructor(@Optional() @Inject(FieldEncryptor) readonly encryptor: FieldEncryptor | null = null) {}

  /**
   * `fields` with `databaseUrl` and `_enc_*` metadata encrypted. The `enc::` prefix proves
   * nothing: a value is kept as it is only when it is a token one of the configured keys
   * authenticates (a stored value handed back); any other value, prefix or not, is encrypted.
   */
  forStore<T extends EncryptableTenantFields>(fields: T): T {
    const enc = this.encryptor;
    if (!enc) return fields;
    const authentic = (value: unknown): boolean => {
      if (!enc.isEncrypted(value)) return false;
      try {
        enc.decrypt(value);
        return true;
      } catch {
        return false;
      }
    };
    // A look-alike is encrypted as text: the prefixed copy is what encryptTenantFields keeps.
    const sealed = (key: string, value: unknown) =>
      enc.isEncrypted(value) && !authentic(value) ? enc.encrypt(toMetadataPlaintext(key, value)!) : value;
    const copy = { ...fields } as Record<string, unknown>;
    if (typeof fields.databaseUrl === 'string') copy.databaseUrl = sealed('databaseUrl', fields.databaseUrl);
    if (fields.metadata) {
      copy.metadata = Object.fromEntries(
        Object.entries(fields.metadata).map(([k, v]) => [
          k,
          k.startsWith(ENCRYPTED_METADATA_PREFIX) ? sealed(k, v) : v,
        ]),
      );
    }
    return enc.encryptTenantFields(copy as T);
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
