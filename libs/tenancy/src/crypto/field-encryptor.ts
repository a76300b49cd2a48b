import { optionLabel } from '../config/option-specs';
import { TenancyConfigError } from '../errors/tenancy-config.error';
import { TenantDecryptionError } from '../errors/tenant-decryption.error';
import { fernetEncrypt, fernetVerifies, openFernetToken } from './fernet';
import { FernetTokenParts, parseFernetToken } from './fernet-token.parser';
import { deriveFernetKey } from './hkdf.util';
import { fromMetadataPlaintext, toMetadataPlaintext } from './metadata-value.codec';

/** Marks a stored value as encrypted: `enc::` + Fernet token (the same prefix fastapi-tenancy uses). */
export const ENCRYPTED_PREFIX = 'enc::';
/** Metadata keys with this prefix have their values encrypted at rest. */
export const ENCRYPTED_METADATA_PREFIX = '_enc_';

/** The encryption options {@link FieldEncryptor} needs (a subset of the tenancy options). */
export interface FieldEncryptorOptions {
  /** Current passphrase, at least 32 characters; every new value is encrypted with it. */
  encryptionKey: string;
  /** Older passphrases, still accepted for decryption, tried in order. Default `[]`. */
  encryptionKeys?: string[];
  /** HKDF context, e.g. `nestjs-tenancy-v1`, or `fastapi-tenancy-v1` for fastapi-tenancy data. */
  encryptionHkdfInfo: string;
}

/** The tenant fields that are encrypted at rest; `Tenant` and partial updates both fit. */
export interface EncryptableTenantFields {
  readonly databaseUrl?: string | null;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/**
 * Encrypts tenant fields at rest as `enc::<Fernet token>`, with keys derived once by HKDF.
 * Plain (unprefixed) values pass through decryption, so plaintext and encrypted rows can coexist
 * during a migration. Synchronous; never mutates its input.
 * @example
 * const enc = new FieldEncryptor({ encryptionKey, encryptionHkdfInfo: 'nestjs-tenancy-v1' });
 * const row = enc.encryptTenantFields(tenant); const back = enc.decryptTenantFields(row);
 */
export class FieldEncryptor {
  /** Derived Fernet keys: the current one first, then the older ones. */
  private readonly keys: readonly Buffer[];

  constructor(options: FieldEncryptorOptions) {
    const passphrases = [options.encryptionKey, ...(options.encryptionKeys ?? [])];
    passphrases.forEach((p, i) => requireLength(p, i === 0 ? 'encryptionKey' : 'encryptionKeys'));
    if (!options.encryptionHkdfInfo) {
      throw new TenancyConfigError(`${optionLabel('encryptionHkdfInfo')} must not be empty`);
    }
    this.keys = passphrases.map((p) => deriveFernetKey(p, options.encryptionHkdfInfo));
  }

  /** Encrypts `plain` with the current key. Always encrypts, even text that starts with `enc::`. */
  encrypt(plain: string): string {
    return ENCRYPTED_PREFIX + fernetEncrypt(this.keys[0], plain);
  }

  /**
   * Decrypts an `enc::` value with the current key or, failing that, each older key in order.
   * Other values are returned unchanged.
   * @throws TenantDecryptionError when the token is malformed or no key authenticates it.
   */
  decrypt(value: string): string {
    if (!this.isEncrypted(value)) return value;
    const parts = parseToken(value);
    return utf8(openFernetToken(this.keys[this.keyIndex(parts)], parts));
  }

  /** True when `value` is an `enc::` string (says nothing about whether it will decrypt). */
  isEncrypted(value: unknown): value is string {
    return typeof value === 'string' && value.startsWith(ENCRYPTED_PREFIX);
  }

  /**
   * True when `value` is encrypted with an older key only, so a key rotation should rewrite it.
   * False for plain values and values under the current key.
   * @throws TenantDecryptionError when no configured key authenticates the value.
   */
  needsReEncryption(value: string): boolean {
    return this.isEncrypted(value) && this.keyIndex(parseToken(value)) > 0;
  }

  /**
   * A copy with `databaseUrl` and every `_enc_*` metadata value encrypted. Values already
   * `enc::` stay as they are. Non-string metadata values are stored as JSON (see
   * `metadata-value.codec.ts`) and come back with their type from {@link decryptTenantFields}.
   */
  encryptTenantFields<T extends EncryptableTenantFields>(fields: T): T {
    return this.mapFields(
      fields,
      (v) => (v && !this.isEncrypted(v) ? this.encrypt(v) : v),
      (key, v) => {
        if (this.isEncrypted(v)) return v;
        const plaintext = toMetadataPlaintext(key, v);
        return plaintext === undefined ? v : this.encrypt(plaintext);
      },
    );
  }

  /** The inverse of {@link encryptTenantFields}: a copy with those fields decrypted. */
  decryptTenantFields<T extends EncryptableTenantFields>(fields: T): T {
    return this.mapFields(
      fields,
      (v) => (v ? this.decrypt(v) : v),
      (key, v) => (this.isEncrypted(v) ? fromMetadataPlaintext(key, this.decrypt(v)) : v),
    );
  }

  private mapFields<T extends EncryptableTenantFields>(
    fields: T,
    url: (value: string | null | undefined) => string | null | undefined,
    meta: (key: string, value: unknown) => unknown,
  ): T {
    const copy = { ...fields } as Record<string, unknown>;
    if ('databaseUrl' in fields) copy.databaseUrl = url(fields.databaseUrl);
    if (fields.metadata) {
      copy.metadata = Object.fromEntries(
        Object.entries(fields.metadata).map(([k, v]) => [k, k.startsWith(ENCRYPTED_METADATA_PREFIX) ? meta(k, v) : v]),
      );
    }
    return copy as T;
  }

  private keyIndex(parts: FernetTokenParts): number {
    const index = this.keys.findIndex((key) => fernetVerifies(key, parts));
    if (index < 0) {
      throw new TenantDecryptionError('the encryption key is wrong or the token was tampered with');
    }
    return index;
  }
}

function parseToken(value: string): FernetTokenParts {
  return parseFernetToken(value.slice(ENCRYPTED_PREFIX.length));
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function utf8(bytes: Buffer): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new TenantDecryptionError('the decrypted value is not valid UTF-8');
  }
}

function requireLength(passphrase: string, option: string): void {
  if (typeof passphrase !== 'string' || passphrase.length < 32) {
    const subject = option === 'encryptionKey' ? '' : ' entries';
    throw new TenancyConfigError(`${optionLabel(option)}${subject} must be at least 32 characters`);
  }
}
