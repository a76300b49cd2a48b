import type { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import {
  TenantAdminService,
  TenantConnectionManager,
  TenantContext,
  TenantContextMissingError,
  type TenancyModuleOptions,
  type TenantIsolation,
} from 'nestjs-tenancy';
import { databaseTemplate, describeWith, serviceUrl, useMysqlDatabase } from '../support';
import { bootApp } from '../support/tenancy-app';
import { Client, Memo, constructedInvoice, entityPathsModule } from './support/entity-paths.fixture';

/** Lazy relations, RelationQueryBuilder, active record, tenant_id on MySQL/MariaDB and SQLite (issue 11 items 6, 7, 12). */
function entityPathChecks(options: () => TenancyModuleOptions, strategy: TenantIsolation): () => void {
  return () => {
    let app: INestApplication;
    const ids = [`${strategy}-ep-a`, `${strategy}-ep-b`];
    const seeded: Record<string, { client: number; invoices: number[] }> = {};
    const get = (t: string, path: string) => request(app.getHttpServer()).get(path).set('X-Tenant-ID', t);
    const post = (t: string, path: string, body: object) =>
      request(app.getHttpServer()).post(path).set('X-Tenant-ID', t).send(body);
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);

    beforeAll(async () => {
      process.on('unhandledRejection', onRejection);
      app = await bootApp(entityPathsModule(options()));
      for (const identifier of ids) {
        await app.get(TenantAdminService).register({ identifier, name: identifier });
        seeded[identifier] = (await post(identifier, '/lazy/seed', { name: identifier }).expect(201)).body;
      }
    });
    afterAll(async () => {
      process.off('unhandledRejection', onRejection);
      for (const t of await app.get(TenantAdminService).list())
        await app.get(TenantAdminService).delete(t.id, { hard: true });
      await app?.close();
    });
    afterEach(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      expect(rejections).toEqual([]);
    });

    it('lazy relations both ways, on read and created entities, load the tenant’s rows', async () => {
      for (const id of ids) {
        const [one, many] = [seeded[id].invoices[0], seeded[id].client];
        expect((await get(id, `/lazy/invoices/${one}/client`).expect(200)).body).toEqual({ client: id });
        expect((await get(id, `/lazy/clients/${many}/invoices`).expect(200)).body).toEqual({
          invoices: [`${id}-1`, `${id}-2`],
        });
        expect((await get(id, `/lazy/created/${one}/client`).expect(200)).body).toEqual({
          created: id,
          constructed: id,
        });
      }
    });

    it('RelationQueryBuilder loadOne / loadMany load the tenant’s rows', async () => {
      for (const id of ids) {
        const res = await get(id, `/lazy/rqb/${seeded[id].invoices[0]}/${seeded[id].client}`).expect(200);
        expect(res.body).toEqual({ one: id, many: [`${id}-1`, `${id}-2`] });
      }
    });

    it('active record: concurrent tenants each write and read their own memos', async () => {
      await Promise.all(ids.map((id) => post(id, '/memos', { body: `${id}-memo` }).expect(201)));
      await Promise.all(ids.map((id) => post(id, '/memos/static', { body: `${id}-static` }).expect(201)));
      const lists = await Promise.all(ids.map((id) => get(id, '/memos/qb').expect(200)));
      ids.forEach((id, i) => expect([...(lists[i].body as string[])].sort()).toEqual([`${id}-memo`, `${id}-static`]));
    });

    it('tenant_id is the tenant of the DataSource written through (another tenant’s manager, forged value)', async () => {
      const connections = app.get(TenantConnectionManager);
      const [a, b] = await Promise.all(ids.map((id) => app.get(TenantAdminService).get(id)));
      const saved = await app.get(TenantContext).run(a, async () => {
        const repo = (await connections.getEntityManager(b)).getRepository(Client);
        return repo.save(repo.create({ name: 'written-for-b', tenantId: a.id }));
      });
      const read = await (
        await connections.getEntityManager(b)
      )
        .getRepository(Client)
        .findOneByOrFail({ id: saved.id });
      expect(read.tenantId).toBe(b.id);
    });

    it('outside a tenant: TenantContextMissingError, for active record and lazy loads alike', async () => {
      expect(() => Memo.find()).toThrow(TenantContextMissingError);
      await expect(constructedInvoice(seeded[ids[0]].invoices[0]).client).rejects.toThrow(TenantContextMissingError);
    });
  };
}

describeWith('mysql', 'entity paths on MySQL/MariaDB', () => {
  const db = useMysqlDatabase();
  const base = (): TenancyModuleOptions => ({
    databaseUrl: db.url,
    schemaPrefix: db.prefix.replace(/_$/, 'e_'),
    databasePrefix: db.prefix.replace(/_$/, 'f_'),
    databaseUrlTemplate: databaseTemplate(serviceUrl('mysql')),
    cacheEnabled: false,
    poolSize: 2,
  });
  describe(
    'schema',
    entityPathChecks(() => ({ ...base(), isolationStrategy: 'schema' }), 'schema'),
  );
  describe(
    'database',
    entityPathChecks(() => ({ ...base(), isolationStrategy: 'database' }), 'database'),
  );
});

describe('entity paths on SQLite (better-sqlite3)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tenancy-ep-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const base = (name: string): TenancyModuleOptions => ({
    databaseUrl: `sqlite:${join(dir, `${name}-master.sqlite`)}`,
    databaseUrlTemplate: `sqlite:${join(dir, '{database_name}.sqlite')}`,
    cacheEnabled: false,
  });
  describe(
    'schema (table prefix)',
    entityPathChecks(() => ({ ...base('s'), isolationStrategy: 'schema' }), 'schema'),
  );
  describe(
    'database (file)',
    entityPathChecks(() => ({ ...base('d'), isolationStrategy: 'database' }), 'database'),
  );
});
