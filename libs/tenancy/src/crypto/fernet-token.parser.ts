import { TenantDecryptionError } from '../errors/tenant-decryption.error';
import { decodeBase64Url } from './base64url.util';

/** @internal Layout of a Fernet token (spec version 0x80). */
export const FERNET = {
  version: 0x80,
  /** version (1) + big-endian seconds (8) + IV (16). */
  headerLength: 25,
  blockLength: 16,
  macLength: 32,
} as const;

/** @internal A token that passed the structural checks; not authenticated yet. */
export interface FernetTokenParts {
  /** version | timestamp | iv | ciphertext: the bytes the HMAC covers. */
  readonly signed: Buffer;
  readonly mac: Buffer;
  /** Seconds since the Unix epoch, as written by the token's producer. */
  readonly timestamp: number;
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
}

/**
 * @internal Splits a Fernet token into its parts, refusing anything that is not padded urlsafe
 * base64, not version 0x80, shorter than one cipher block, or not block-aligned.
 * @throws TenantDecryptionError
 */
export function parseFernetToken(token: string): FernetTokenParts {
  const data = decodeBase64Url(token);
  if (!data) throw new TenantDecryptionError('the token is not valid urlsafe base64');
  if (data.length === 0 || data[0] !== FERNET.version) {
    throw new TenantDecryptionError('unsupported token version (expected Fernet 0x80)');
  }
  const { headerLength, blockLength, macLength } = FERNET;
  if (data.length < headerLength + blockLength + macLength) {
    throw new TenantDecryptionError('the token is truncated');
  }
  if ((data.length - headerLength - macLength) % blockLength !== 0) {
    throw new TenantDecryptionError('the ciphertext is not a whole number of AES blocks (truncated?)');
  }
  const signed = data.subarray(0, data.length - macLength);
  return {
    signed,
    mac: data.subarray(signed.length),
    // Number is exact up to 2^53 s; anything larger is far in the future and refused as such.
    timestamp: Number(data.readBigUInt64BE(1)),
    iv: data.subarray(9, headerLength),
    ciphertext: data.subarray(headerLength, signed.length),
  };
}
