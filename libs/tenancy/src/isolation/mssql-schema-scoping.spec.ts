import { Column, DataSource, Entity, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { SqlServerQueryRunner } from 'typeorm/driver/sqlserver/SqlServerQueryRunner';
import { QueryResult } from 'typeorm/query-runner/QueryResult';
import { createTenantView, SCHEMA_PLACEHOLDER } from '../connection/shared-pool-view';
import { TenancyError } from '../errors/tenancy.error';
import { dataSourceOptionsFromUrl } from '../store/data-source-options.util';
import { mssqlSchemaBinding } from './schema-rewrite.binding';

/**
 * SQL Server schema mode. NO SQL SERVER RUNS ON THESE MACHINES: this pins the SQL a tenant view
 * sends, captured at the runner's driver call (`SqlServerQueryRunner.prototype.query`, the one
 * place that would reach the network), from metadata built without connecting. The library's
 * rewrite and raw-SQL check run for real; only the server is absent.
 */
@Entity('ms_customers')
class MsCustomer {
  @PrimaryGeneratedColumn() id!: number;
  @Column() email!: string;
}

@Entity('ms_orders')
class MsOrder {
  @PrimaryGeneratedColumn() id!: number;
  @Column() label!: string;
  @ManyToOne(() => MsCustomer, { nullable: true }) customer!: Relation<MsCustomer> | null;
}

describe('SQL Server schema mode: SQL through a tenant view (generated SQL only, no server)', () => {
  const sent: string[] = [];
  let base: DataSource;
  let acme: DataSource;

  beforeAll(async () => {
    base = new DataSource({
      ...dataSourceOptionsFromUrl('mssql://sa:pw@127.0.0.1:1433/app?encrypt=false'),
      entities: [MsOrder, MsCustomer],
      schema: SCHEMA_PLACEHOLDER, // as the shared schema set is built (tenancy-data-sources.ts)
    } as never);
    await (base as unknown as { buildMetadatas(): Promise<void> }).buildMetadatas();
    Object.assign(base, { isInitialized: true });
    acme = createTenantView(base, mssqlSchemaBinding('t_acme'));
    jest
      .spyOn(SqlServerQueryRunner.prototype, 'query')
      .mockImplementation(async (sql: string, _params?: unknown, structured?: boolean) => {
        sent.push(sql);
        return structured ? Object.assign(new QueryResult(), { records: [], raw: [] }) : [];
      });
    jest.spyOn(SqlServerQueryRunner.prototype, 'release').mockResolvedValue(undefined);
  });
  afterAll(() => jest.restoreAllMocks());
  beforeEach(() => (sent.length = 0));

  /** Every schema a statement names for a table (`FROM|JOIN|UPDATE|INTO "schema"."table"`). */
  const schemasNamed = (sql: string) =>
    [...sql.matchAll(/\b(?:FROM|JOIN|UPDATE|INTO)\s+"([^"]+)"\."[^"]+"/g)].map((m) => m[1]);

  it('the shared metadata names the placeholder schema (what the view must rewrite)', () => {
    expect(base.getMetadata(MsOrder).tablePath).toBe(`${SCHEMA_PLACEHOLDER}.ms_orders`);
  });

  it("repository and query-builder SQL through the view names only the tenant's schema", async () => {
    const orders = acme.getRepository(MsOrder);
    await orders.find({ relations: { customer: true }, where: { label: 'x' } });
    await orders.createQueryBuilder('o').leftJoin('o.customer', 'c').where('c.email = :e', { e: 'a' }).getMany();
    await orders.createQueryBuilder().update().set({ label: 'y' }).where('id = :id', { id: 1 }).execute();
    await orders.createQueryBuilder().delete().where('id = :id', { id: 1 }).execute();
    await orders.count();
    expect(sent).toHaveLength(5);
    for (const sql of sent) {
      expect({ sql, placeholderLeft: sql.includes(SCHEMA_PLACEHOLDER) }).toEqual({ sql, placeholderLeft: false });
      expect(schemasNamed(sql).length).toBeGreaterThan(0);
      expect(new Set(schemasNamed(sql))).toEqual(new Set(['t_acme']));
    }
    expect(sent[0]).toContain('FROM "t_acme"."ms_orders"');
    expect(sent[0]).toContain('LEFT JOIN "t_acme"."ms_customers"');
  });

  it('another tenant view over the same metadata names its own schema', async () => {
    const beta = createTenantView(base, mssqlSchemaBinding('t_beta'));
    await beta.getRepository(MsOrder).find();
    await acme.getRepository(MsOrder).find();
    expect(sent.map(schemasNamed)).toEqual([['t_beta'], ['t_acme']]);
  });

  it('raw SQL written with the placeholder schema is sent with the tenant schema', async () => {
    await acme.query(`SELECT label FROM "${SCHEMA_PLACEHOLDER}"."ms_orders" WHERE id = @0`, [1]);
    expect(sent).toEqual(['SELECT label FROM "t_acme"."ms_orders" WHERE id = @0']);
  });

  it('raw SQL without the placeholder schema is refused before anything is sent (no search_path on SQL Server)', async () => {
    for (const sql of ['SELECT * FROM ms_orders', 'SELECT * FROM "t_beta"."ms_orders"', 'SELECT * FROM dbo.tenants']) {
      await expect(acme.query(sql)).rejects.toThrow(TenancyError);
      await expect(acme.manager.query(sql)).rejects.toThrow(/must qualify tables with "__tenancy_schema__"/);
    }
    expect(sent).toEqual([]);
  });
});
