import type { TenancyModuleOptions } from 'nestjs-tenancy';
import { TenancyConfigError, TenantDecryptionError } from 'nestjs-tenancy';
import { FieldEncryptor } from '../../libs/tenancy/src/crypto/field-encryptor';
import { Customer, Order } from '../fixtures/orders.fixture';
import { describeWith, pgAdmin, usePostgresDatabase, withDatabase } from '../support';
import { bootAdmin, databaseExists, tenantRows, useTenantPlacement, type AdminApp } from './support/admin-app';

const OLD_KEY = 'old-passphrase-0123456789-abcdefghij';
const NEW_KEY = 'new-passphrase-9876543210-zyxwvutsrq';
const INFO = 'nestjs-tenancy-v1';

const rawMetadata = async (url: string, identifier: string) =>
  (await tenantRows(url, identifier))[0].metadata as Record<string, unknown>;
const rawUrl = async (url: string, identifier: string) =>
  (await tenantRows(url, identifier))[0].database_url as string | null;

describeWith('postgres', 'field encryption through TenantAdminService (PostgreSQL)', () => {
  const db = usePostgresDatabase();
  const placement = useTenantPlacement(db, 'en');
  const { dbPrefix } = placement;
  let app: AdminApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const options = (extra: Partial<TenancyModuleOptions>): TenancyModuleOptions => ({
    ...placement.options(),
    isolationStrategy: 'hybrid',
    premiumIsolationStrategy: 'database',
    standardIsolationStrategy: 'schema',
    entities: [Order, Customer],
    poolSize: 3,
    cacheEnabled: false,
    ...extra,
  });
  const withKey = (encryptionKey: string, encryptionKeys: string[] = []) =>
    options({ enableEncryption: true, encryptionKey, encryptionKeys });

  it('with encryption off, values are stored plain and rotation explains what is missing', async () => {
    app = await bootAdmin(options({}));
    const t = await app.admin.register({
      identifier: 'enc-plain',
      name: 'P',
      metadata: { _enc_token: 'plain-secret', n: 1 },
    });
    expect(await rawMetadata(db.url, 'enc-plain')).toEqual({ _enc_token: 'plain-secret', n: 1 });
    expect(app.admin.decrypt(t)).toEqual(t);
    await expect(app.admin.rotateEncryptionKey()).rejects.toThrow(TenancyConfigError);
  });

  it('register encrypts _enc_* metadata at rest; decrypt gives the plain values back (types kept)', async () => {
    app = await bootAdmin(withKey(OLD_KEY));
    const metadata = { _enc_api_key: 'sk-123', _enc_limits: { rps: 5 }, plan: 'gold' };
    const tenant = await app.admin.register({ identifier: 'enc-a', name: 'A', metadata });
    const stored = await rawMetadata(db.url, 'enc-a');
    expect(stored.plan).toBe('gold');
    expect(String(stored._enc_api_key)).toMatch(/^enc::/);
    expect(String(stored._enc_limits)).toMatch(/^enc::/);
    expect(JSON.stringify(stored)).not.toContain('sk-123');
    expect(tenant.metadata).toEqual(stored); // returned as stored
    expect(app.admin.decrypt(tenant).metadata).toEqual(metadata);
    expect(Object.isFrozen(app.admin.decrypt(tenant))).toBe(true);
  });

  it('update encrypts again', async () => {
    app = await bootAdmin(withKey(OLD_KEY));
    const updated = await app.admin.update('enc-a', { metadata: { _enc_api_key: 'sk-456', plan: 'gold' } });
    expect(String((await rawMetadata(db.url, 'enc-a'))._enc_api_key)).toMatch(/^enc::/);
    expect(app.admin.decrypt(await app.admin.get(updated.id)).metadata).toEqual({
      _enc_api_key: 'sk-456',
      plan: 'gold',
    });
  });

  it("a premium tenant's own databaseUrl is encrypted at rest, used decrypted, and never dropped", async () => {
    app = await bootAdmin(withKey(OLD_KEY));
    const own = `${dbPrefix()}own`;
    await pgAdmin(db.adminUrl, `CREATE DATABASE "${own}"`);
    const url = withDatabase(db.adminUrl, own);
    const tenant = await app.admin.register({ identifier: 'enc-own', name: 'Own', tier: 'premium', databaseUrl: url });
    expect(tenant.isolationStrategy).toBe('database');
    expect(await rawUrl(db.url, 'enc-own')).toMatch(/^enc::/);
    expect(app.admin.decrypt(tenant).databaseUrl).toBe(url);
    // Its tables were created through the decrypted URL.
    expect(await pgAdmin(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).toEqual([
      { tablename: 'customers' },
      { tablename: 'orders' },
    ]);
    await app.admin.update(tenant.id, { databaseUrl: url });
    expect(await rawUrl(db.url, 'enc-own')).toMatch(/^enc::/);
  });

  it('a tampered token raises TenantDecryptionError', async () => {
    app = await bootAdmin(withKey(OLD_KEY));
    await app.admin.register({ identifier: 'enc-bad', name: 'Bad', metadata: { _enc_x: 'secret' } });
    const token = String((await rawMetadata(db.url, 'enc-bad'))._enc_x);
    const flipped = token.slice(0, 40) + (token[40] === 'A' ? 'B' : 'A') + token.slice(41);
    await pgAdmin(
      db.url,
      `UPDATE public.tenants SET metadata = jsonb_set(metadata::jsonb, '{_enc_x}', '"${flipped}"')::json WHERE identifier = 'enc-bad'`,
    );
    const tenant = await app.admin.get('enc-bad');
    expect(() => app!.admin.decrypt(tenant)).toThrow(TenantDecryptionError);
  });

  it('a new key decrypts nothing old on its own; with the old key in encryptionKeys, rotation rewrites every tenant', async () => {
    app = await bootAdmin(withKey(NEW_KEY));
    const old = await app.admin.get('enc-a');
    expect(() => app!.admin.decrypt(old)).toThrow(TenantDecryptionError);
    await app.close();

    app = await bootAdmin(withKey(NEW_KEY, [OLD_KEY]));
    expect(app.admin.decrypt(await app.admin.get('enc-a')).metadata._enc_api_key).toBe('sk-456');
    const report = await app.admin.rotateEncryptionKey();
    // enc-a, enc-own (old key), enc-plain (plain value written before encryption); enc-bad cannot be opened.
    expect(report).toEqual({
      scanned: 4,
      reEncrypted: 3,
      failed: [{ tenant: 'enc-bad', error: expect.stringMatching(/Cannot decrypt/) }],
    });

    const onlyNew = new FieldEncryptor({ encryptionKey: NEW_KEY, encryptionHkdfInfo: INFO });
    const onlyOld = new FieldEncryptor({ encryptionKey: OLD_KEY, encryptionHkdfInfo: INFO });
    const a = await rawMetadata(db.url, 'enc-a');
    expect(onlyNew.decrypt(String(a._enc_api_key))).toBe('sk-456');
    expect(() => onlyOld.decrypt(String(a._enc_api_key))).toThrow(TenantDecryptionError);
    expect(onlyNew.decrypt(String((await rawMetadata(db.url, 'enc-plain'))._enc_token))).toBe('plain-secret');
    expect(onlyNew.decrypt(String(await rawUrl(db.url, 'enc-own')))).toBe(
      withDatabase(db.adminUrl, `${dbPrefix()}own`),
    );

    expect((await app.admin.rotateEncryptionKey()).reEncrypted).toBe(0); // idempotent
  });

  it('a hard delete of a tenant that brought its database leaves that database alone', async () => {
    app = await bootAdmin(withKey(NEW_KEY));
    await app.admin.delete('enc-own', { hard: true });
    expect(await tenantRows(db.url, 'enc-own')).toEqual([]);
    expect(await databaseExists(db.adminUrl, `${dbPrefix()}own`)).toBe(true);
  });
});
