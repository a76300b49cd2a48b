import { FieldEncryptor } from './field-encryptor';

const enc = new FieldEncryptor({ encryptionKey: 'k'.repeat(32), encryptionHkdfInfo: 'nestjs-tenancy-v1' });

describe('FieldEncryptor tenant fields', () => {
  const tenant = Object.freeze({
    id: 't-1',
    databaseUrl: 'postgresql://u:p@db/acme',
    metadata: Object.freeze({
      plan: 'gold',
      _enc_api_key: 'sk_live_123',
      _enc_number_string: '42',
      _enc_limits: { seats: 5, tags: ['a'] },
      _enc_count: 42,
      _enc_flag: false,
      _enc_null: null,
      _enc_undefined: undefined,
    }),
  });

  it('encrypts databaseUrl and _enc_* values only, and decrypts back to the same types', () => {
    const stored = enc.encryptTenantFields(tenant);
    expect(stored).not.toBe(tenant);
    expect(stored.id).toBe('t-1');
    expect(enc.isEncrypted(stored.databaseUrl)).toBe(true);
    expect(stored.metadata.plan).toBe('gold');
    for (const key of ['_enc_api_key', '_enc_number_string', '_enc_limits', '_enc_count', '_enc_flag', '_enc_null']) {
      expect(enc.isEncrypted(stored.metadata[key as keyof typeof stored.metadata])).toBe(true);
    }
    expect(stored.metadata._enc_undefined).toBeUndefined();
    expect(enc.decryptTenantFields(stored)).toEqual(tenant);
  });

  it('keeps a string "42" a string and the number 42 a number', () => {
    const back = enc.decryptTenantFields(enc.encryptTenantFields(tenant)).metadata;
    expect(back._enc_number_string).toBe('42');
    expect(back._enc_count).toBe(42);
  });

  it('leaves enc:: values, null and missing fields alone', () => {
    const already = enc.encrypt('x');
    const stored = enc.encryptTenantFields({ databaseUrl: already, metadata: { _enc_a: already } });
    expect(stored).toEqual({ databaseUrl: already, metadata: { _enc_a: already } });
    expect(enc.encryptTenantFields({ databaseUrl: null })).toEqual({ databaseUrl: null });
    expect(enc.encryptTenantFields({ name: 'n' } as { databaseUrl?: string })).toEqual({ name: 'n' });
    expect(enc.decryptTenantFields({ databaseUrl: 'plain', metadata: { _enc_a: 'plain' } })).toEqual({
      databaseUrl: 'plain',
      metadata: { _enc_a: 'plain' },
    });
  });

  it('never mutates its input (frozen input would throw)', () => {
    const input = { databaseUrl: 'u', metadata: { _enc_a: 'b' } };
    const snapshot = structuredClone(input);
    enc.decryptTenantFields(enc.encryptTenantFields(input));
    expect(input).toEqual(snapshot);
  });

  it('names the key when a value cannot be serialised', () => {
    expect(() => enc.encryptTenantFields({ metadata: { _enc_big: 1n } })).toThrow(/_enc_big/);
  });
});
