import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { TenantDecryptionError } from '../errors/tenant-decryption.error';
import { encodeBase64Url } from './base64url.util';
import { FERNET, FernetTokenParts, parseFernetToken } from './fernet-token.parser';

/** The specification's allowance for a reader whose clock runs behind the writer's. */
const MAX_CLOCK_SKEW_SECONDS = 60;

/** Options of {@link fernetEncrypt}; both exist for deterministic tests and spec vectors. */
export interface FernetEncryptOptions {
  /** 16-byte IV. Default: 16 random bytes. Never reuse one in production. */
  iv?: Buffer;
  /** Timestamp to record, in Unix seconds. Default: now. */
  now?: number;
}

/** Options of {@link fernetDecrypt}. */
export interface FernetDecryptOptions {
  /** Maximum token age in seconds. Default: none (no age or clock-skew check, as in the spec). */
  ttlSeconds?: number;
  /** The reader's clock, in Unix seconds. Default: now. */
  now?: number;
}

/**
 * Encrypts `plaintext` (strings as UTF-8) into a Fernet token: AES-128-CBC with PKCS7, then
 * HMAC-SHA256, encoded as padded urlsafe base64 exactly like Python's `cryptography`.
 * `key32` is the raw Fernet key: signing key (first 16 bytes) then encryption key (last 16).
 * @example fernetEncrypt(deriveFernetKey(passphrase, 'nestjs-tenancy-v1'), 'secret')
 */
export function fernetEncrypt(key32: Buffer, plaintext: Buffer | string, opts: FernetEncryptOptions = {}): string {
  const { signingKey, encryptionKey } = splitKey(key32);
  const iv = opts.iv ?? randomBytes(16);
  if (iv.length !== 16) throw new RangeError('Fernet IV must be 16 bytes');
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  if (!Number.isSafeInteger(now) || now < 0) {
    throw new RangeError('Fernet timestamp must be a whole number of seconds ≥ 0');
  }
  const header = Buffer.alloc(FERNET.headerLength);
  header[0] = FERNET.version;
  header.writeBigUInt64BE(BigInt(now), 1);
  iv.copy(header, 9);
  const cipher = createCipheriv('aes-128-cbc', encryptionKey, iv);
  const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
  const signed = Buffer.concat([header, cipher.update(data), cipher.final()]);
  return encodeBase64Url(Buffer.concat([signed, hmac(signingKey, signed)]));
}

/**
 * Decrypts a Fernet token. The HMAC is checked (in constant time) before anything is decrypted.
 * @throws TenantDecryptionError for bad base64, wrong version, truncation, a failed HMAC
 *   (wrong key or tampering), bad padding, or, with `ttlSeconds`, an expired or future token.
 */
export function fernetDecrypt(key32: Buffer, token: string, opts: FernetDecryptOptions = {}): Buffer {
  return openFernetToken(key32, parseFernetToken(token), opts);
}

/** @internal True when `parts` carry a valid HMAC under `key32`. */
export function fernetVerifies(key32: Buffer, parts: FernetTokenParts): boolean {
  return timingSafeEqual(hmac(splitKey(key32).signingKey, parts.signed), parts.mac);
}

/** @internal Authenticates, checks the age of, and decrypts an already parsed token. */
export function openFernetToken(key32: Buffer, parts: FernetTokenParts, opts: FernetDecryptOptions = {}): Buffer {
  if (!fernetVerifies(key32, parts)) {
    throw new TenantDecryptionError('HMAC verification failed (wrong key or tampered token)');
  }
  checkAge(parts.timestamp, opts);
  const decipher = createDecipheriv('aes-128-cbc', splitKey(key32).encryptionKey, parts.iv);
  try {
    return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]);
  } catch {
    throw new TenantDecryptionError('invalid PKCS7 padding');
  }
}

function checkAge(timestamp: number, { ttlSeconds, now }: FernetDecryptOptions): void {
  // Like the reference implementations and Python, time is only checked when a TTL is asked for:
  // data at rest written by a host whose clock ran ahead must stay readable.
  if (ttlSeconds === undefined) return;
  const current = now ?? Math.floor(Date.now() / 1000);
  if (timestamp + ttlSeconds < current) throw new TenantDecryptionError(`the token is older than ${ttlSeconds} s`);
  if (timestamp > current + MAX_CLOCK_SKEW_SECONDS) {
    throw new TenantDecryptionError(`the token is dated more than ${MAX_CLOCK_SKEW_SECONDS} s in the future`);
  }
}

function splitKey(key32: Buffer): { signingKey: Buffer; encryptionKey: Buffer } {
  if (key32.length !== 32) throw new RangeError('Fernet key must be 32 bytes');
  return { signingKey: key32.subarray(0, 16), encryptionKey: key32.subarray(16) };
}

function hmac(key: Buffer, data: Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}
