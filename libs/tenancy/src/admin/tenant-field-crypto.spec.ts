import { FieldEncryptor } from '../crypto/field-encryptor';
import { TenantDecryptionError } from '../errors/tenant-decryption.error';
import type { Tenant } from '../models/tenant.model';
import { TenantFieldCrypto } from './tenant-field-crypto';

const OLD = 'o'.repeat(32);
const NEW = 'n'.repeat(32);
const info = 'nestjs-tenancy-v1';
const tenant = (fields: Partial<Tenant>): Tenant =>
  ({
    id: 'id',
    identifier: 'acme',
    name: 'A',
    status: 'active',
    isolationStrategy: 'schema',
    tier: 'standard',
    databaseUrl: null,
    metadata: {},
    createdAt: new Date(0),
    updatedAt: new Date(0),
    ...fields,
  }) as Tenant;

describe('TenantFieldCrypto', () => {
  const oldCrypto = new TenantFieldCrypto(new FieldEncryptor({ encryptionKey: OLD, encryptionHkdfInfo: info }));
  const rotated = new TenantFieldCrypto(
    new FieldEncryptor({ encryptionKey: NEW, encryptionKeys: [OLD], encryptionHkdfInfo: info }),
  );

  it('without an encryptor: stores and hands out values unchanged, never rotates', () => {
    const none = new TenantFieldCrypto(null);
    const t = tenant({ metadata: { _enc_k: 'v' } });
    expect(none.forStore({ metadata: { _enc_k: 'v' } })).toEqual({ metadata: { _enc_k: 'v' } });
    expect(none.decrypt(t)).toEqual(t);
    expect(Object.isFrozen(none.decrypt(t))).toBe(true);
    expect(none.needsRotation(t)).toBe(false);
  });

  it('encrypts databaseUrl and _enc_* only, and decrypts them back', () => {
    const stored = oldCrypto.forStore({
      databaseUrl: 'postgresql://u:p@h/db',
      metadata: { _enc_k: 'secret', plain: 'x' },
    });
    expect(stored.databaseUrl).toMatch(/^enc::/);
    expect(stored.metadata._enc_k).toMatch(/^enc::/);
    expect(stored.metadata.plain).toBe('x');
    expect(oldCrypto.decrypt(tenant(stored))).toMatchObject({
      databaseUrl: 'postgresql://u:p@h/db',
      metadata: { _enc_k: 'secret', plain: 'x' },
    });
  });

  it('needsRotation: old-key values and plain values in encrypted fields, not current-key values', () => {
    const underOld = tenant(oldCrypto.forStore({ databaseUrl: 'pg://a', metadata: { _enc_k: 's' } }));
    expect(rotated.needsRotation(underOld)).toBe(true);
    const rewritten = tenant(rotated.reEncrypt(underOld));
    expect(rotated.needsRotation(rewritten)).toBe(false);
    expect(rotated.decrypt(rewritten)).toMatchObject({ databaseUrl: 'pg://a', metadata: { _enc_k: 's' } });
    expect(rotated.needsRotation(tenant({ metadata: { _enc_k: 'plain' } }))).toBe(true);
    expect(rotated.needsRotation(tenant({ metadata: { other: 'enc::not-ours' } }))).toBe(false);
  });

  it('a value no key opens raises TenantDecryptionError', () => {
    const stranger = new TenantFieldCrypto(
      new FieldEncryptor({ encryptionKey: 's'.repeat(32), encryptionHkdfInfo: info }),
    );
    const t = tenant(stranger.forStore({ metadata: { _enc_k: 'v' } }));
    expect(() => rotated.decrypt(t)).toThrow(TenantDecryptionError);
    expect(() => rotated.needsRotation(t)).toThrow(TenantDecryptionError);
  });
});
