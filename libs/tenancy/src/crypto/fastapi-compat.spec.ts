import { fernetEncrypt } from './fernet';
import { FieldEncryptor } from './field-encryptor';
import { deriveFernetKey } from './hkdf.util';

/**
 * Known answers from Python fastapi-tenancy's scheme, produced once by hand with cryptography 48.0.0:
 *
 *   key = base64.urlsafe_b64encode(HKDF(algorithm=SHA256(), length=32, salt=None,
 *                                       info=b'fastapi-tenancy-v1').derive(b'a' * 32))
 *   f = Fernet(key)
 *   f.encrypt(URL)                                               # PYTHON_RANDOM_IV
 *   f._encrypt_from_parts(URL, 1700000000, bytes(range(16)))     # PYTHON_FIXED
 *   f._encrypt_from_parts('sk_live_é✓'.encode(), 1700000000, bytes(range(16, 32)))  # PYTHON_UTF8
 *
 * fastapi-tenancy stores them as 'enc::' + token. The tests never run Python.
 */
const PASSPHRASE = 'a'.repeat(32);
const URL = 'postgresql://user:pass@db:5432/tenant_acme';
const PYTHON_RANDOM_IV =
  'gAAAAABrDI1uv5-6RMUQZQLcNaibhIfFmEpKiMT6jVHo70ACYNtY1w-H6BE7Y5IlJXwKM3CBqlVQlu6VHZIWWLFxs_gqR15HtSMozZG7UEDSzz5HcdxRQtNVos0eJfUuydSrVmSwtpk7';
const PYTHON_FIXED =
  'gAAAAABlU_EAAAECAwQFBgcICQoLDA0OD8-MQMWEAKjOFTZgC0epELjf4QDEUOoeGWbECmbFzK5CHLLzfS4ugrO0ourFjftjJsIA04wIBq7kUM60oUXkxKrZKEndBPKwXJWtooRLUhX6';
const PYTHON_UTF8 =
  'gAAAAABlU_EAEBESExQVFhcYGRobHB0eH6qqQWeBFt-KPpdOLND9B2Xwn3IRUv03z3PbZH4SRKhgP3ZssLSDBmFlTgeqAdLE2g==';

describe('compatibility with Python fastapi-tenancy', () => {
  const fastapi = new FieldEncryptor({ encryptionKey: PASSPHRASE, encryptionHkdfInfo: 'fastapi-tenancy-v1' });

  it('reads values fastapi-tenancy wrote', () => {
    expect(fastapi.decrypt('enc::' + PYTHON_RANDOM_IV)).toBe(URL);
    expect(fastapi.decrypt('enc::' + PYTHON_FIXED)).toBe(URL);
    expect(fastapi.decrypt('enc::' + PYTHON_UTF8)).toBe('sk_live_é✓');
  });

  it('writes byte-identical tokens for the same key, IV and time', () => {
    const key = deriveFernetKey(PASSPHRASE, 'fastapi-tenancy-v1');
    const iv = Buffer.from(Array.from({ length: 16 }, (_, i) => i));
    expect(fernetEncrypt(key, URL, { iv, now: 1_700_000_000 })).toBe(PYTHON_FIXED);
    expect(fernetEncrypt(key, 'sk_live_é✓', { iv: Buffer.from(iv.map((b) => b + 16)), now: 1_700_000_000 })).toBe(
      PYTHON_UTF8,
    );
  });

  it('refuses them under the default nestjs-tenancy-v1 info', () => {
    const nest = new FieldEncryptor({ encryptionKey: PASSPHRASE, encryptionHkdfInfo: 'nestjs-tenancy-v1' });
    expect(() => nest.decrypt('enc::' + PYTHON_FIXED)).toThrow(/key is wrong or the token was tampered with/);
  });
});
