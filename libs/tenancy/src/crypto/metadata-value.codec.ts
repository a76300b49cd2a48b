import { TenantDecryptionError } from '../errors/tenant-decryption.error';

/**
 * Starts the plaintext of an `_enc_` metadata value that was not a plain string. Without a marker
 * a string `"42"` and a number `42` would decrypt alike. Strings are kept raw, which is what
 * fastapi-tenancy writes and reads; a NUL cannot realistically begin a real string value.
 */
const JSON_MARKER = '\u0000json:';

/**
 * @internal The plaintext to encrypt for one metadata value: strings as they are, anything else
 * (and the rare string that starts with the marker) as marker + JSON. `undefined` for values JSON
 * cannot represent (`undefined`, functions), which are left unencrypted.
 * @throws TypeError for values JSON refuses (bigint, cycles), naming the key.
 */
export function toMetadataPlaintext(key: string, value: unknown): string | undefined {
  if (typeof value === 'string' && !value.startsWith(JSON_MARKER)) return value;
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw new TypeError(`metadata["${key}"] cannot be encrypted: ${(error as Error).message}`);
  }
  return json === undefined ? undefined : JSON_MARKER + json;
}

/** @internal Inverse of {@link toMetadataPlaintext}. */
export function fromMetadataPlaintext(key: string, plaintext: string): unknown {
  if (!plaintext.startsWith(JSON_MARKER)) return plaintext;
  try {
    return JSON.parse(plaintext.slice(JSON_MARKER.length));
  } catch {
    throw new TenantDecryptionError(`metadata["${key}"] is marked as JSON but does not parse`);
  }
}
