import { TenancyConfigError } from '../errors/tenancy-config.error';
import { TenantDecryptionError } from '../errors/tenant-decryption.error';
import { decodeBase64Url, encodeBase64Url } from './base64url.util';
import { fernetEncrypt } from './fernet';
import { FieldEncryptor } from './field-encryptor';
import { deriveFernetKey } from './hkdf.util';

const CURRENT = 'current-passphrase-0123456789abcdef';
const OLD = 'older-passphrase-0123456789abcdefgh';
const info = 'nestjs-tenancy-v1';
const encryptor = (encryptionKey = CURRENT, encryptionKeys: string[] = []) =>
  new FieldEncryptor({ encryptionKey, encryptionKeys, encryptionHkdfInfo: info });

/** Re-encodes the token of an `enc::` value after `edit` changed its bytes. */
const editToken = (value: string, edit: (bytes: Buffer) => Buffer): string =>
  'enc::' + encodeBase64Url(edit(Buffer.from(decodeBase64Url(value.slice(5)) as Buffer)));

describe('FieldEncryptor', () => {
  const enc = encryptor();

  it('round-trips with an enc:: prefix and a fresh IV each time', () => {
    const value = enc.encrypt('postgresql://u:p@db/acme');
    expect(value.startsWith('enc::gAAAAA')).toBe(true);
    expect(enc.encrypt('postgresql://u:p@db/acme')).not.toBe(value);
    expect(enc.decrypt(value)).toBe('postgresql://u:p@db/acme');
    expect(enc.isEncrypted(value)).toBe(true);
    expect(enc.needsReEncryption(value)).toBe(false);
  });

  it('returns values without the prefix unchanged', () => {
    expect(enc.decrypt('postgresql://plain')).toBe('postgresql://plain');
    expect(enc.isEncrypted('postgresql://plain')).toBe(false);
    expect(enc.isEncrypted(42)).toBe(false);
    expect(enc.needsReEncryption('plain')).toBe(false);
  });

  it('refuses one tampered byte, a truncated token and a wrong key', () => {
    const value = enc.encrypt('secret');
    const tampered = editToken(value, (b) => ((b[30] ^= 0x80), b));
    expect(() => enc.decrypt(tampered)).toThrow(/key is wrong or the token was tampered with/);
    expect(() => enc.decrypt(value.slice(0, -8))).toThrow(TenantDecryptionError);
    expect(() => enc.decrypt(editToken(value, (b) => b.subarray(0, 60)))).toThrow(/truncated/);
    expect(() => encryptor(OLD).decrypt(value)).toThrow(/key is wrong or the token was tampered with/);
  });

  it('decrypts with an older key in encryptionKeys and flags the value for re-encryption', () => {
    const written = encryptor(OLD).encrypt('rotated secret');
    const rotated = encryptor(CURRENT, ['x'.repeat(32), OLD]);
    expect(rotated.decrypt(written)).toBe('rotated secret');
    expect(rotated.needsReEncryption(written)).toBe(true);
    expect(rotated.needsReEncryption(rotated.encrypt('new'))).toBe(false);
    expect(() => encryptor().needsReEncryption(written)).toThrow(TenantDecryptionError);
  });

  it('does not decrypt across HKDF infos', () => {
    const other = new FieldEncryptor({ encryptionKey: CURRENT, encryptionHkdfInfo: 'fastapi-tenancy-v1' });
    expect(() => other.decrypt(enc.encrypt('x'))).toThrow(TenantDecryptionError);
  });

  it('refuses short keys and an empty info at construction', () => {
    expect(() => encryptor('short')).toThrow(TenancyConfigError);
    expect(() => encryptor(CURRENT, ['short'])).toThrow(/TENANCY_ENCRYPTION_KEYS/);
    expect(() => new FieldEncryptor({ encryptionKey: CURRENT, encryptionHkdfInfo: '' })).toThrow(/HKDF_INFO/);
  });

  it('refuses authentic plaintext that is not UTF-8', () => {
    const token = fernetEncrypt(deriveFernetKey(CURRENT, info), Buffer.from([0xff, 0xfe]));
    expect(() => enc.decrypt('enc::' + token)).toThrow(/not valid UTF-8/);
  });
});
