import { createHmac } from 'node:crypto';
import { deriveFernetKey } from './hkdf.util';

/**
 * RFC 5869 written out with HMAC only, as Python's `HKDF(salt=None)` specifies it: the salt is
 * HashLen (32) zero bytes, not an empty string, so this also pins that the two are equivalent.
 */
function rfc5869(ikm: string, info: string, length: number): Buffer {
  const prk = createHmac('sha256', Buffer.alloc(32)).update(ikm, 'utf8').digest();
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  for (let i = 1; Buffer.concat(blocks).length < length; i++) {
    previous = createHmac('sha256', prk)
      .update(Buffer.concat([previous, Buffer.from(info, 'utf8'), Buffer.from([i])]))
      .digest();
    blocks.push(previous);
  }
  return Buffer.concat(blocks).subarray(0, length);
}

describe('deriveFernetKey', () => {
  const passphrase = 'a'.repeat(32);

  it('is HKDF-SHA256 with no salt, info as context, 32 bytes', () => {
    for (const info of ['nestjs-tenancy-v1', 'fastapi-tenancy-v1', 'ünïcode-info']) {
      expect(deriveFernetKey(passphrase, info).equals(rfc5869(passphrase, info, 32))).toBe(true);
    }
    expect(deriveFernetKey('pässphrase-with-ütf8-'.repeat(2), 'x')).toEqual(
      rfc5869('pässphrase-with-ütf8-'.repeat(2), 'x', 32),
    );
  });

  it('matches RFC 5869 test case 3 (no salt, no info), first 32 bytes', () => {
    const okm = '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d';
    expect(deriveFernetKey('\x0b'.repeat(22), '').toString('hex')).toBe(okm);
  });

  it('matches the key Python fastapi-tenancy derives (pinned known answer)', () => {
    // python3 -c "from cryptography.hazmat.primitives import hashes; from cryptography.hazmat.primitives.kdf.hkdf
    //   import HKDF; print(HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
    //   info=b'fastapi-tenancy-v1').derive(b'a'*32).hex())"   (cryptography 48.0.0)
    expect(deriveFernetKey(passphrase, 'fastapi-tenancy-v1').toString('hex')).toBe(
      '452ef92dc8e1212fb415937b8f72605b3d87089463a82f4802588cd27b166a22',
    );
    expect(deriveFernetKey(passphrase, 'nestjs-tenancy-v1').toString('hex')).toBe(
      '28388ef3bcbe1caadf6d30a06efb8e2233c140235934447e455e3cb1b42212f0',
    );
  });

  it('separates domains: a different info gives a different key', () => {
    expect(deriveFernetKey(passphrase, 'fastapi-tenancy-v1')).not.toEqual(
      deriveFernetKey(passphrase, 'nestjs-tenancy-v1'),
    );
    expect(deriveFernetKey(passphrase, 'nestjs-tenancy-v1')).not.toEqual(
      deriveFernetKey('b'.repeat(32), 'nestjs-tenancy-v1'),
    );
  });
});
