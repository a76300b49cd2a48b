import { DataSource, EntitySchema } from 'typeorm';
import { TypeOrmTenantStore, dataSourceOptionsFromUrl, tenantEntitySchema } from 'nestjs-tenancy/store';
import { describeWith, pgAdmin, usePostgresDatabase } from '../support';

/** An application table on the same DataSource: ensureSchema must never create or alter it. */
const Other = new EntitySchema<{ id: number; label: string }>({
  name: 'Other',
  tableName: 'other_things',
  columns: { id: { type: Number, primary: true }, label: { type: String } },
});

const tables = async (url: string) =>
  (await pgAdmin(url, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)).map(
    (r) => r.table_name,
  );

describeWith('postgres', 'TypeOrmTenantStore on a DataSource shared with other entities', () => {
  const sources: DataSource[] = [];
  afterAll(async () => {
    for (const ds of sources) if (ds.isInitialized) await ds.destroy();
  });
  const db = usePostgresDatabase();

  /** Like the library's root pool: schema `public`, empty search_path, other entities beside the tenant one. */
  async function sharedDataSource(): Promise<DataSource> {
    const base = dataSourceOptionsFromUrl(db.url);
    const ds = new DataSource({
      ...base,
      schema: 'public',
      entities: [Other, tenantEntitySchema(base.type)],
      extra: { options: '-c search_path=' },
    } as never);
    sources.push(ds);
    return ds.initialize();
  }

  it('creates only the tenants table, idempotently, even when two instances race', async () => {
    const [a, b] = await Promise.all([sharedDataSource(), sharedDataSource()]);
    await Promise.all([new TypeOrmTenantStore(a).ensureSchema(), new TypeOrmTenantStore(b).ensureSchema()]);
    await new TypeOrmTenantStore(a).ensureSchema();
    expect(await tables(db.url)).toEqual(['tenants']);
  });

  it('works with schema-qualified SQL under an empty search_path, and close() leaves the DataSource open', async () => {
    const ds = await sharedDataSource();
    const store = new TypeOrmTenantStore(ds);
    await store.ensureSchema();
    const t = await store.create({ identifier: 'shared', name: 'Shared', isolationStrategy: 'rls' });
    expect((await store.getByIdentifier('shared')).id).toBe(t.id);
    await store.close();
    expect(ds.isInitialized).toBe(true);
  });

  it('explains a DataSource that does not know the tenant entity', async () => {
    const ds = new DataSource({ ...dataSourceOptionsFromUrl(db.url), entities: [Other] } as never);
    sources.push(await ds.initialize());
    await expect(new TypeOrmTenantStore(ds).count()).rejects.toThrow(/tenantEntitySchema/);
  });
});
