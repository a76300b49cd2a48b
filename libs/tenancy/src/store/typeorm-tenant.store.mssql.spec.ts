import { DataSource, Table } from 'typeorm';
import { tenantEntitySchema } from './tenant.entity';
import { TypeOrmTenantStore } from './typeorm-tenant.store';

/**
 * No SQL Server runs on these machines: this pins the SQL TypeORM generates for the tenant
 * entity on `mssql`, from metadata built without connecting (`buildMetadatas()`).
 */
describe('TypeOrmTenantStore entity on SQL Server (offline)', () => {
  const schema = tenantEntitySchema('mssql');
  let ds: DataSource;

  beforeAll(async () => {
    ds = new DataSource(TypeOrmTenantStore.dataSourceOptions('mssql://sa:pw@127.0.0.1:1433/master?encrypt=false'));
    await (ds as unknown as { buildMetadatas(): Promise<void> }).buildMetadatas();
  });

  it('builds metadata without a server', () => {
    expect(ds.isInitialized).toBe(false);
    expect(ds.getMetadata(schema).tableName).toBe('tenants');
  });

  it('creates the table with a unique identifier and the list index', async () => {
    const runner = ds.createQueryRunner();
    runner.enableSqlMemory();
    await runner.createTable(Table.create(ds.getMetadata(schema), ds.driver), false);
    expect(runner.getMemorySql().upQueries.map((q) => q.query)).toEqual([
      'CREATE TABLE "tenants" ("id" varchar(36) NOT NULL, "identifier" nvarchar(255) NOT NULL, "name" nvarchar(255) NOT NULL, ' +
        '"status" nvarchar(20) NOT NULL, "isolation_strategy" nvarchar(20) NOT NULL, "tier" nvarchar(50) NOT NULL, ' +
        '"database_url" nvarchar(MAX), "metadata" nvarchar(MAX) NOT NULL, "created_at" datetime2(3) NOT NULL, ' +
        '"updated_at" datetime2(3) NOT NULL, CONSTRAINT "UQ_tenants_identifier" UNIQUE ("identifier"), ' +
        'CONSTRAINT "PK_tenants" PRIMARY KEY ("id"))',
      'CREATE INDEX "IDX_tenants_created_at_id" ON "tenants" ("created_at", "id") ',
    ]);
  });

  it('generates the INSERT with typed parameters and JSON metadata', () => {
    const at = new Date('2025-01-02T03:04:05.678Z');
    const [sql, params] = ds
      .getRepository(schema)
      .createQueryBuilder()
      .insert()
      .values({
        id: '0f8fad5b-d9cb-469f-a165-70867728950e',
        identifier: 'acme',
        name: 'Acme',
        status: 'active',
        isolationStrategy: 'schema',
        tier: 'standard',
        databaseUrl: null,
        metadata: { plan: 'gold' },
        createdAt: at,
        updatedAt: at,
      })
      .getQueryAndParameters();
    expect(sql).toBe(
      'INSERT INTO "tenants"("id", "identifier", "name", "status", "isolation_strategy", "tier", "database_url", "metadata", "created_at", "updated_at") ' +
        'VALUES (@0, @1, @2, @3, @4, @5, @6, @7, @8, @9)',
    );
    const typed = (params as Array<{ value: unknown; type: string }>).map((p) => [p.type, p.value]);
    expect(typed).toEqual([
      ['varchar', '0f8fad5b-d9cb-469f-a165-70867728950e'],
      ['nvarchar', 'acme'],
      ['nvarchar', 'Acme'],
      ['nvarchar', 'active'],
      ['nvarchar', 'schema'],
      ['nvarchar', 'standard'],
      ['nvarchar', null],
      ['nvarchar', '{"plan":"gold"}'],
      ['datetime2', at],
      ['datetime2', at],
    ]);
  });

  it('generates the paged, ordered SELECT of list()', () => {
    const [sql, params] = ds
      .getRepository(schema)
      .createQueryBuilder('t')
      .where('t.status = :status', { status: 'active' })
      .orderBy('t.createdAt', 'ASC')
      .addOrderBy('t.id', 'ASC')
      .skip(20)
      .take(10)
      .getQueryAndParameters();
    expect(sql).toBe(
      'SELECT "t"."id" AS "t_id", "t"."identifier" AS "t_identifier", "t"."name" AS "t_name", "t"."status" AS "t_status", ' +
        '"t"."isolation_strategy" AS "t_isolation_strategy", "t"."tier" AS "t_tier", "t"."database_url" AS "t_database_url", ' +
        '"t"."metadata" AS "t_metadata", "t"."created_at" AS "t_created_at", "t"."updated_at" AS "t_updated_at" ' +
        'FROM "tenants" "t" WHERE "t"."status" = @0 ORDER BY "t"."created_at" ASC, "t"."id" ASC OFFSET 20 ROWS FETCH NEXT 10 ROWS ONLY',
    );
    expect(params).toEqual(['active']);
  });
});
