import { hkdfSync } from 'node:crypto';

/**
 * Derives the 32-byte Fernet key (signing key, then encryption key) from a passphrase with
 * HKDF-SHA256, no salt and `info` as context. Byte-compatible with Python fastapi-tenancy's
 * `HKDF(SHA256(), length=32, salt=None, info=info.encode()).derive(key.encode())`: `salt=None`
 * means HashLen zero bytes, which HMAC pads to the same block as an empty salt.
 * @param passphrase `encryptionKey` (UTF-8).
 * @param info `encryptionHkdfInfo`: `nestjs-tenancy-v1` by default, `fastapi-tenancy-v1` to read
 *   tenants written by fastapi-tenancy.
 */
export function deriveFernetKey(passphrase: string, info: string): Buffer {
  const ikm = Buffer.from(passphrase, 'utf8');
  return Buffer.from(hkdfSync('sha256', ikm, Buffer.alloc(0), Buffer.from(info, 'utf8'), 32));
}
