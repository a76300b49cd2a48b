import type { TenancyModuleOptions } from 'nestjs-tenancy';
import { Customer, Order } from '../fixtures/orders.fixture';
import { describeWith, usePostgresDatabase } from '../support';
import { bootAdmin, tenantRows, type AdminApp } from './support/admin-app';

const OLD_KEY = 'old-passphrase-0123456789-abcdefghij';
const NEW_KEY = 'new-passphrase-9876543210-zyxwvutsrq';

/** Issue 12 item 6: `updateMetadata(id, patch)` merges atomically, encrypts `_enc_` keys, and rotation uses it. */
describeWith('postgres', 'TenantAdminService.updateMetadata (PostgreSQL)', () => {
  const db = usePostgresDatabase();
  let app: AdminApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  const options = (encryptionKey: string, encryptionKeys: string[] = []): TenancyModuleOptions => ({
    databaseUrl: db.url,
    schemaPrefix: 'um_',
    entities: [Order, Customer],
    poolSize: 4,
    enableEncryption: true,
    encryptionKey,
    encryptionKeys,
  });
  const raw = async (identifier: string) =>
    (await tenantRows(db.url, identifier))[0].metadata as Record<string, string>;

  it('concurrent merges lose nothing; _enc_ values are encrypted at rest; null removes a key', async () => {
    app = await bootAdmin(options(OLD_KEY));
    const t = await app.admin.register({ identifier: 'merge', name: 'M', metadata: { plan: 'gold', old: 1 } });
    await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => app!.admin.updateMetadata(t.id, { [`seat${i}`]: i })),
      app.admin.updateMetadata('merge', { _enc_token: 'sk-live-123' }),
      app.admin.updateMetadata(t.id, { old: null }),
    ]);
    const stored = await raw('merge');
    expect(stored._enc_token).toMatch(/^enc::/);
    expect(JSON.stringify(stored)).not.toContain('sk-live-123');
    const plain = app.admin.decrypt(await app.admin.get('merge')).metadata;
    const seats = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`seat${i}`, i]));
    expect(plain).toEqual({ plan: 'gold', _enc_token: 'sk-live-123', ...seats });
  });

  it('a key rotation beside concurrent merges keeps both the re-encrypted secret and every merge', async () => {
    app = await bootAdmin(options(OLD_KEY));
    const t = await app.admin.register({ identifier: 'rotate', name: 'R', metadata: { _enc_token: 'secret' } });
    await app.close();
    app = await bootAdmin(options(NEW_KEY, [OLD_KEY]));
    const admin = app.admin;
    const [report] = await Promise.all([
      admin.rotateEncryptionKey(),
      ...Array.from({ length: 10 }, (_, i) => admin.updateMetadata(t.id, { [`k${i}`]: i })),
    ]);
    expect(report.failed).toEqual([]);
    const stored = await raw('rotate');
    const keys = Object.keys(stored).sort();
    expect(keys).toEqual(['_enc_token', ...Array.from({ length: 10 }, (_, i) => `k${i}`)].sort());
    await app.close();
    app = await bootAdmin(options(NEW_KEY)); // the old key is gone: the secret must be under the new one
    expect(app.admin.decrypt(await app.admin.get('rotate')).metadata._enc_token).toBe('secret');
  });
});
