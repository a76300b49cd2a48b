import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { TenantDecryptionError } from '../errors/tenant-decryption.error';
import { decodeBase64Url, encodeBase64Url } from './base64url.util';
import { fernetDecrypt, fernetEncrypt } from './fernet';

/**
 * The Fernet specification's vectors (copied from `shared/testdata/fernet` into the repository,
 * so a clone anywhere runs them).
 */
const VECTORS = path.join(__dirname, '../../../../test/fixtures/fernet');

interface Vector {
  token: string;
  now: string;
  secret: string;
  src?: string;
  iv?: number[];
  ttl_sec?: number;
  desc?: string;
}

const load = (name: string): Vector[] => JSON.parse(readFileSync(path.join(VECTORS, name), 'utf8')) as Vector[];
const seconds = (iso: string): number => Date.parse(iso) / 1000;
const keyOf = (v: Vector): Buffer => decodeBase64Url(v.secret) as Buffer;

describe('Fernet specification vectors', () => {
  it.each(load('generate.json').map((v) => [v.src, v] as const))('generate %j', (_src, v) => {
    const token = fernetEncrypt(keyOf(v), v.src ?? '', { iv: Buffer.from(v.iv ?? []), now: seconds(v.now) });
    expect(token).toBe(v.token);
  });

  it.each(load('verify.json').map((v) => [v.src, v] as const))('verify %j', (_src, v) => {
    const plain = fernetDecrypt(keyOf(v), v.token, { ttlSeconds: v.ttl_sec, now: seconds(v.now) });
    expect(plain.toString('utf8')).toBe(v.src);
  });

  const invalid = load('invalid.json');
  it('has all 11 invalid cases', () => expect(invalid).toHaveLength(11));

  /** The reason each case must be refused with (the strict base64 decoder refuses all 11). */
  const reasons: Record<string, RegExp> = {
    'incorrect mac': /HMAC verification failed/,
    'too short': /truncated/,
    'invalid base64': /not valid urlsafe base64/,
    'payload size not multiple of block size': /truncated/,
    'payload padding error': /invalid PKCS7 padding/,
    'far-future TS (unacceptable clock skew)': /more than 60 s in the future/,
    'expired TTL': /older than 60 s/,
    'incorrect IV (causes padding error)': /invalid PKCS7 padding/,
    'trailing characters after b64 padding': /not valid urlsafe base64/,
    'invalid characters in b64': /not valid urlsafe base64/,
    'invalid non-urlsafe characters in b64': /not valid urlsafe base64/,
  };

  it.each(invalid.map((v) => [v.desc, v] as const))('rejects: %s', (desc, v) => {
    const decrypt = () => fernetDecrypt(keyOf(v), v.token, { ttlSeconds: v.ttl_sec, now: seconds(v.now) });
    expect(decrypt).toThrow(TenantDecryptionError);
    expect(decrypt).toThrow(reasons[desc ?? '']);
  });
});

describe('fernetEncrypt / fernetDecrypt', () => {
  const key = Buffer.alloc(32, 7);

  it('round-trips strings (UTF-8) and buffers with a random IV', () => {
    const a = fernetEncrypt(key, 'héllo ✓');
    expect(a).not.toBe(fernetEncrypt(key, 'héllo ✓'));
    expect(fernetDecrypt(key, a).toString('utf8')).toBe('héllo ✓');
    expect(fernetDecrypt(key, fernetEncrypt(key, Buffer.from([0, 255, 1]))).equals(Buffer.from([0, 255, 1]))).toBe(
      true,
    );
  });

  it('encrypts the empty string to one padded block', () => {
    const token = fernetEncrypt(key, '');
    expect(decodeBase64Url(token)).toHaveLength(25 + 16 + 32);
    expect(fernetDecrypt(key, token)).toHaveLength(0);
  });

  it('refuses a tampered byte anywhere in the token, with the HMAC reason', () => {
    const bytes = decodeBase64Url(fernetEncrypt(key, 'secret value', { now: 1_700_000_000 })) as Buffer;
    for (const offset of [1, 8, 9, 24, 25, bytes.length - 33, bytes.length - 1]) {
      const copy = Buffer.from(bytes);
      copy[offset] ^= 0x01;
      expect(() => fernetDecrypt(key, encodeBase64Url(copy))).toThrow(/HMAC verification failed/);
    }
  });

  it('names the reason for each structural failure', () => {
    const token = fernetEncrypt(key, 'x');
    const bytes = decodeBase64Url(token) as Buffer;
    const twoBlocks = fernetEncrypt(key, 'x'.repeat(20));
    expect(() => fernetDecrypt(key, twoBlocks.slice(0, -4))).toThrow(/not a whole number of AES blocks/);
    expect(() => fernetDecrypt(key, encodeBase64Url(bytes.subarray(0, 60)))).toThrow(/truncated/);
    expect(() => fernetDecrypt(key, encodeBase64Url(Buffer.concat([Buffer.from([0x81]), bytes.subarray(1)])))).toThrow(
      /version/,
    );
    expect(() => fernetDecrypt(key, '')).toThrow(/version/);
    expect(() => fernetDecrypt(key, token.replace(/=+$/, ''))).toThrow(/base64/);
    expect(() => fernetDecrypt(Buffer.alloc(32, 8), token)).toThrow(/HMAC/);
  });

  it('checks age and clock skew only when a TTL is given', () => {
    const token = fernetEncrypt(key, 'x', { now: 1_000 });
    expect(() => fernetDecrypt(key, token, { ttlSeconds: 60, now: 1_061 })).toThrow(/older than 60 s/);
    expect(fernetDecrypt(key, token, { ttlSeconds: 60, now: 1_060 }).toString()).toBe('x');
    expect(() => fernetDecrypt(key, token, { ttlSeconds: 60, now: 939 })).toThrow(/in the future/);
    expect(fernetDecrypt(key, token, { ttlSeconds: 60, now: 940 }).toString()).toBe('x');
    expect(fernetDecrypt(key, token, { now: 1 }).toString()).toBe('x');
  });

  it('keeps secrets out of error messages', () => {
    const token = fernetEncrypt(key, 'TOP-SECRET');
    try {
      fernetDecrypt(Buffer.alloc(32, 9), token);
      throw new Error('expected a failure');
    } catch (error) {
      expect(error).toBeInstanceOf(TenantDecryptionError);
      expect((error as Error).message).not.toContain(token);
      expect((error as Error).message).not.toContain('TOP-SECRET');
    }
  });

  it('refuses keys and IVs of the wrong size', () => {
    expect(() => fernetEncrypt(Buffer.alloc(16), 'x')).toThrow(RangeError);
    expect(() => fernetEncrypt(key, 'x', { iv: Buffer.alloc(8) })).toThrow(RangeError);
    expect(() => fernetDecrypt(Buffer.alloc(31), fernetEncrypt(key, 'x'))).toThrow(RangeError);
  });
});
