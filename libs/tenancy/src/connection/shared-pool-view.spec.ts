import { Client } from 'pg';
import {
  Column,
  DataSource,
  Entity,
  ManyToOne,
  PrimaryGeneratedColumn,
  type DataSourceOptions,
  type QueryRunner,
} from 'typeorm';
import { mssqlSchemaBinding, mysqlSchemaBinding, sqlitePrefixBinding } from '../isolation/schema-rewrite.binding';
import { pgSchemaBinding } from '../isolation/pg-schema.binding';
import { serializeSqliteConnection } from '../isolation/sqlite-connection.lock';
import {
  SCHEMA_PLACEHOLDER,
  createTenantView,
  statementKind,
  type StatementKind,
  type ViewBinding,
} from './shared-pool-view';

@Entity('owners')
class PinOwner {
  @PrimaryGeneratedColumn() id!: number;
}

@Entity('orders')
class PinOrder {
  @PrimaryGeneratedColumn() id!: number;
  @Column() label!: string;
}

@Entity('lines')
class PinLine {
  @PrimaryGeneratedColumn() id!: number;
  @ManyToOne(() => PinOwner, { nullable: true }) owner!: PinOwner | null;
}

/**
 * Pins the TypeORM 1.x internals the shared-pool views rely on, without a server: metadata built
 * with `buildMetadatas()` only; table paths carrying the placeholder namespace; views whose
 * runners come from the view's driver and send every statement through `runner.query()`.
 * If a TypeORM upgrade changes any of these, this spec fails before tenants can cross.
 */
async function metadataOnly(options: Partial<DataSourceOptions>): Promise<DataSource> {
  const ds = new DataSource({ entities: [PinOrder], ...options } as DataSourceOptions);
  await (ds as unknown as { buildMetadatas(): Promise<void> }).buildMetadatas();
  return ds;
}

/** Captures what a view would send: the runner's underlying query is replaced by a recorder. */
function recordingView(
  base: DataSource,
  binding: ViewBinding,
): { view: DataSource; sent: string[]; kinds: StatementKind[] } {
  const sent: string[] = [];
  const kinds: StatementKind[] = [];
  const driver = base.driver as unknown as { createQueryRunner(mode: string): QueryRunner };
  const original = driver.createQueryRunner;
  (driver as { createQueryRunner: unknown }).createQueryRunner = function (this: unknown, mode: string) {
    const runner = original.call(this, mode) as QueryRunner;
    const client = { query: async () => ({ rows: [] }), getTransactionStatus: () => 'I' };
    (runner as { connect: unknown }).connect = async () => client;
    (runner as { query: unknown }).query = async (sql: string, _params?: unknown[], structured?: boolean) => {
      sent.push(sql);
      kinds.push(statementKind(sql, structured));
      return structured ? { records: [], raw: [], affected: 0 } : [];
    };
    return runner;
  };
  return { view: createTenantView(base, binding), sent, kinds };
}

describe('shared-pool views on TypeORM internals', () => {
  it('PostgreSQL: the placeholder schema is in the table path and rewritten per tenant', async () => {
    const base = await metadataOnly({ type: 'postgres', schema: SCHEMA_PLACEHOLDER });
    expect(base.getMetadata(PinOrder).tablePath).toBe(`${SCHEMA_PLACEHOLDER}.orders`);
    const { view, sent } = recordingView(base, pgSchemaBinding('t_acme', 'session', 't_'));
    await view.getRepository(PinOrder).find({ where: { id: 1 } });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain('FROM "t_acme"."orders"');
    expect(sent[0]).not.toContain(SCHEMA_PLACEHOLDER);
  });

  it("PostgreSQL: ORM SQL is structured, transaction control is TypeORM's own, raw query() is raw", async () => {
    const base = await metadataOnly({ type: 'postgres', schema: SCHEMA_PLACEHOLDER });
    const { view, sent, kinds } = recordingView(base, pgSchemaBinding('t_acme', 'session', 't_'));
    await view.transaction(async (em) => {
      await em.getRepository(PinOrder).findBy({ id: 1 });
      await em.transaction(() => Promise.resolve());
      await em.query('SELECT 1');
    });
    expect(sent).toEqual([
      'START TRANSACTION',
      expect.stringContaining('FROM "t_acme"."orders"'),
      'SAVEPOINT typeorm_1',
      'RELEASE SAVEPOINT typeorm_1',
      'SELECT 1',
      'COMMIT',
    ]);
    expect(kinds).toEqual(['control', 'orm', 'control', 'control', 'raw', 'control']);
    for (const rollback of ['ROLLBACK', 'ROLLBACK TO SAVEPOINT typeorm_1'])
      expect(statementKind(rollback)).toBe('control');
    expect(statementKind('COMMIT; SET ROLE other')).toBe('raw');
  });

  it('PostgreSQL: QueryBuilder.stream() sends its SQL through runner.stream() with release callbacks', async () => {
    const base = await metadataOnly({ type: 'postgres', schema: SCHEMA_PLACEHOLDER });
    const driver = base.driver as unknown as { createQueryRunner(mode: string): QueryRunner };
    const original = driver.createQueryRunner;
    const streamed: Array<{ sql: string; onEnd: unknown }> = [];
    (driver as { createQueryRunner: unknown }).createQueryRunner = function (this: unknown, mode: string) {
      const runner = original.call(this, mode) as QueryRunner;
      (runner as { connect: unknown }).connect = async () => ({ query: async () => ({ rows: [] }) });
      (runner as { stream: unknown }).stream = async (sql: string, _p: unknown, onEnd: unknown) => {
        streamed.push({ sql, onEnd });
        return 'stream';
      };
      return runner;
    };
    const view = createTenantView(base, pgSchemaBinding('t_acme', 'session', 't_'));
    expect(await view.getRepository(PinOrder).createQueryBuilder('o').stream()).toBe('stream');
    expect(streamed[0].sql).toContain('FROM "t_acme"."orders"');
    expect(typeof streamed[0].onEnd).toBe('function');
  });

  it('pg: a client reports its transaction status (views roll back an open transaction before release)', () => {
    expect(typeof (Client.prototype as { getTransactionStatus?: unknown }).getTransactionStatus).toBe('function');
  });

  it('a view is a full DataSource whose runners and managers belong to the view', async () => {
    const base = await metadataOnly({ type: 'postgres', schema: SCHEMA_PLACEHOLDER });
    const view = createTenantView(base, {});
    const runner = view.createQueryRunner();
    expect(runner.connection).toBe(view);
    expect(view.manager.connection).toBe(view);
    expect(view.getRepository(PinOrder).manager.connection).toBe(view);
    expect(base.manager.connection).toBe(base);
  });

  it('a view has its own relation loader (RelationQueryBuilder loads through the view)', async () => {
    const base = await metadataOnly({ type: 'postgres', schema: SCHEMA_PLACEHOLDER, entities: [PinLine, PinOwner] });
    const { view, sent } = recordingView(base, pgSchemaBinding('t_acme', 'session', 't_'));
    expect(view.relationLoader).not.toBe(base.relationLoader);
    expect(view.relationLoader.constructor).toBe(base.relationLoader.constructor);
    await view.createQueryBuilder().relation(PinLine, 'owner').of(1).loadOne();
    expect(sent[0]).toContain('"t_acme"."owners"');
  });

  it('MySQL: the placeholder database is rewritten to the tenant database', async () => {
    const base = await metadataOnly({ type: 'mysql', database: 'master' } as Partial<DataSourceOptions>);
    const meta = base.getMetadata(PinOrder);
    Object.assign(meta, { database: SCHEMA_PLACEHOLDER });
    meta.tablePath = base.driver.buildTableName(meta.tableName, meta.schema, SCHEMA_PLACEHOLDER);
    const { view, sent } = recordingView(base, mysqlSchemaBinding('t_acme', 'master'));
    await view.getRepository(PinOrder).find();
    expect(sent[0]).toContain('FROM `t_acme`.`orders`');
  });

  // No SQL Server runs on these machines: the generated SQL is what is tested.
  it('SQL Server: generated SQL names the tenant schema; unqualified raw SQL is refused', async () => {
    const base = await metadataOnly({
      type: 'mssql',
      schema: SCHEMA_PLACEHOLDER,
      host: 'localhost',
    } as Partial<DataSourceOptions>);
    const { view, sent } = recordingView(base, mssqlSchemaBinding('t_acme'));
    await view.getRepository(PinOrder).find({ where: { label: 'x' } });
    await view.createQueryBuilder().update(PinOrder).set({ label: 'y' }).where('id = :id', { id: 1 }).execute();
    expect(sent[0]).toMatch(/FROM "t_acme"\."orders"/);
    expect(sent[1]).toMatch(/^UPDATE "t_acme"\."orders" SET "label" = @0/);
    await expect(view.query('SELECT * FROM orders')).rejects.toThrow(/must qualify tables/);
  });

  it('SQLite: the placeholder table prefix is rewritten to the tenant prefix', async () => {
    const base = await metadataOnly({ type: 'better-sqlite3', database: ':memory:', entityPrefix: SCHEMA_PLACEHOLDER });
    // The binding's table guard needs a real file (test/isolation/sqlite-raw-sql.e2e.spec.ts).
    const { view, sent } = recordingView(base, { rewrite: sqlitePrefixBinding('t_acme__').rewrite });
    await view.getRepository(PinOrder).find();
    expect(sent[0]).toContain('FROM "t_acme__orders"');
  });
});

describe('better-sqlite3 runners (serializeSqliteConnection)', () => {
  it('TypeORM hands out one cached runner; serialized, each call is a fresh runner on the one handle', async () => {
    const ds = await new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      entities: [PinOrder],
    }).initialize();
    try {
      expect(ds.createQueryRunner()).toBe(ds.createQueryRunner());
      serializeSqliteConnection(ds);
      const [a, b] = [ds.createQueryRunner(), ds.createQueryRunner()];
      expect(a).not.toBe(b);
      expect((a as unknown as { stmtCache: unknown }).stmtCache).toBeInstanceOf(Map);
      expect((a as unknown as { stmtCache: unknown }).stmtCache).toBe(
        (b as unknown as { stmtCache: unknown }).stmtCache,
      );
      const handle = (await a.connect()) as { inTransaction: boolean };
      expect(await b.connect()).toBe(handle);
      await a.startTransaction();
      expect(handle.inTransaction).toBe(true);
      await a.rollbackTransaction();
      expect(handle.inTransaction).toBe(false);
    } finally {
      await ds.destroy();
    }
  });
});
