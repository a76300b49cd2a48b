import type { EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';
import { Item } from '../matrix.entities';
import type { AccessPath, Dialect, MatrixEnv } from '../matrix.types';
import { aliveLabels, byLabel, expectNewItem, labelsOf, onlyTableChanged, sleep } from './path-kit';

const TX = 'transactions';
const QR = 'manual QueryRunner';

type Check = AccessPath['check'];
const path = (group: string, name: string, run: (e: MatrixEnv) => Promise<unknown>, check: Check): AccessPath => ({
  group,
  name,
  run,
  check,
});
const newItems =
  (...suffixes: string[]): Check =>
  (e, _o, b, a) => {
    const want = suffixes.map((s) => e.label(s)).sort();
    expect(labelsOf(a.mx_items)).toEqual([...labelsOf(b.mx_items), ...want].sort());
    expect(want.map((l) => byLabel(a, l)?.tenant_id)).toEqual(want.map(() => e.tenant.id));
    onlyTableChanged(b, a, 'mx_items');
  };
const save = (em: EntityManager, label: string) => em.getRepository(Item).save({ label });
const rawLabels = async (e: MatrixEnv, em: EntityManager) =>
  labelsOf(
    (await em.query(`SELECT label FROM ${e.table('mx_items')} WHERE deleted_at IS NULL`)) as Array<{ label: string }>,
  );

/** The level each dialect can run, and how to read the level of the open transaction. */
const LEVEL: Record<Dialect, IsolationLevel> = {
  postgres: 'SERIALIZABLE',
  mysql: 'SERIALIZABLE',
  sqlite: 'READ UNCOMMITTED',
};
interface MysqlCallbackConnection {
  query(sql: string, cb: (e: unknown, rows: unknown) => void): void;
}
async function levelInside(dialect: Dialect, em: EntityManager): Promise<string> {
  const runner = em.queryRunner as unknown as {
    query(s: string): Promise<Array<Record<string, unknown>>>;
  };
  if (dialect === 'postgres')
    return String((await runner.query('SHOW transaction_isolation'))[0].transaction_isolation);
  if (dialect === 'mysql') {
    // information_schema.innodb_trx is a cache refreshed at most every 0.1 s: let it see this transaction.
    await sleep(150);
    // Introspection, not a path under test: straight on the runner's driver connection (the tenant
    // view's raw-SQL guard rightly refuses information_schema).
    const sql =
      'SELECT trx_isolation_level AS l FROM information_schema.innodb_trx WHERE trx_mysql_thread_id = CONNECTION_ID()';
    const conn = (em.queryRunner as unknown as { databaseConnection: MysqlCallbackConnection }).databaseConnection;
    const rows = await new Promise<Array<{ l: string }>>((ok, fail) =>
      conn.query(sql, (e, r) => (e ? fail(e) : ok(r as Array<{ l: string }>))),
    );
    return String(rows[0]?.l).toLowerCase();
  }
  // better-sqlite3: the pragma TypeORM sets for READ UNCOMMITTED, read from the runner's own connection.
  const driver = em.connection.driver as unknown as { databaseConnection: { pragma(p: string, o: object): unknown } };
  const db = driver.databaseConnection;
  return db.pragma('read_uncommitted', { simple: true }) === 1 ? 'read uncommitted' : 'serializable';
}
const levelPath = (
  name: string,
  tag: string,
  open: (e: MatrixEnv, level: IsolationLevel, fn: (em: EntityManager) => Promise<string>) => Promise<string>,
): AccessPath =>
  path(
    TX,
    name,
    (e) =>
      open(e, LEVEL[e.where.dialect], async (em) => {
        await save(em, e.label(tag));
        return levelInside(e.where.dialect, em);
      }),
    (e, observed, b, a) => {
      expect(observed).toBe(LEVEL[e.where.dialect].toLowerCase());
      newItems(tag)(e, undefined, b, a);
    },
  );

export const TRANSACTION_PATHS: AccessPath[] = [
  path(
    TX,
    'connections.transaction()',
    (e) =>
      e.connections.transaction(async (em) => {
        await save(em, e.label('tx-m1'));
        await e.items.save({ label: e.label('tx-m2') }); // the injected repository joins the open transaction
      }),
    newItems('tx-m1', 'tx-m2'),
  ),
  path(
    TX,
    'injected EntityManager.transaction()',
    (e) => e.em.transaction((em) => save(em, e.label('tx-em'))),
    newItems('tx-em'),
  ),
  path(
    TX,
    'injected DataSource.transaction()',
    (e) => e.ds.transaction((em) => save(em, e.label('tx-ds'))),
    newItems('tx-ds'),
  ),
  path(
    TX,
    "TypeORM's DataSource.transaction() (getDataSource)",
    async (e) => {
      const ds = await e.connections.getDataSource();
      await ds.transaction((em) => save(em, e.label('tx-typeorm')));
    },
    newItems('tx-typeorm'),
  ),
  path(
    TX,
    "TypeORM's EntityManager.transaction() (ds.manager)",
    async (e) => {
      const ds = await e.connections.getDataSource();
      await ds.manager.transaction((em) => save(em, e.label('tx-manager')));
    },
    newItems('tx-manager'),
  ),
  path(
    TX,
    'rollback on throw',
    (e) =>
      e.connections
        .transaction(async (em) => {
          await save(em, e.label('tx-rolled'));
          await e.items.save({ label: e.label('tx-rolled2') });
          throw new Error('boom');
        })
        .catch((err: Error) => err.message),
    (_e, observed, b, a) => {
      expect(observed).toBe('boom');
      expect(a).toEqual(b);
    },
  ),
  levelPath('injected EntityManager.transaction(level)', 'lvl-em', (e, level, fn) => e.em.transaction(level, fn)),
  levelPath('injected DataSource.transaction(level)', 'lvl-ds', (e, level, fn) => e.ds.transaction(level, fn)),
  levelPath("TypeORM's DataSource.transaction(level)", 'lvl-typeorm', async (e, level, fn) =>
    (await e.connections.getDataSource()).transaction(level, fn),
  ),
  path(
    TX,
    'nested EntityManager.transaction() (savepoint) rolled back, then raw SQL',
    async (e) => {
      const ds = await e.connections.getDataSource();
      return ds.transaction(async (em) => {
        await save(em, e.label('sp-outer'));
        await em
          .transaction(async (inner) => {
            await save(inner, e.label('sp-inner'));
            throw new Error('inner');
          })
          .catch(() => undefined);
        return rawLabels(e, em);
      });
    },
    (e, observed, b, a) => {
      expect(observed).toEqual(aliveLabels(a));
      newItems('sp-outer')(e, undefined, b, a);
    },
  ),
  path(
    QR,
    'connect, start, save, commit, release',
    async (e) => {
      const runner = e.ds.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      try {
        await runner.manager.save(Item, { label: e.label('qr-commit') });
        await runner.commitTransaction();
      } finally {
        await runner.release();
      }
    },
    newItems('qr-commit'),
  ),
  path(
    QR,
    'savepoint rolled back, then raw SQL on the runner',
    async (e) => {
      const runner = (await e.connections.getDataSource()).createQueryRunner();
      await runner.startTransaction();
      try {
        await runner.manager.save(Item, { label: e.label('qr-outer') });
        await runner.startTransaction();
        await runner.manager.save(Item, { label: e.label('qr-inner') });
        await runner.rollbackTransaction();
        const seen = await rawLabels(e, runner.manager);
        await runner.commitTransaction();
        return seen;
      } finally {
        await runner.release();
      }
    },
    (e, observed, b, a) => {
      expect(observed).toEqual(aliveLabels(a));
      newItems('qr-outer')(e, undefined, b, a);
    },
  ),
];

/** Paths that, when they fail, can leave shared connection state behind: they run last. */
export const HAZARD_PATHS: AccessPath[] = [
  path(
    TX,
    'two tenants at once: one commits while the other rolls back',
    async (e) => {
      const other = e.others[0];
      const mine = e.connections.transaction(async (em) => {
        await save(em, e.label('conc-kept'));
        await sleep(30);
        await save(em, e.label('conc-kept2'));
      });
      const theirs = e.context.run(other, () =>
        e.connections.transaction(async (em) => {
          await sleep(10);
          await save(em, e.label('conc-doomed', other));
          throw new Error('theirs');
        }),
      );
      const [a, b] = await Promise.allSettled([mine, theirs]);
      return [a.status, b.status];
    },
    (e, observed, b, a) => {
      expect(observed).toEqual(['fulfilled', 'rejected']);
      newItems('conc-kept', 'conc-kept2')(e, undefined, b, a);
    },
  ),
  path(
    QR,
    'released inside its transaction, then the pool is used again',
    async (e) => {
      const runner = e.ds.createQueryRunner();
      await runner.startTransaction();
      await runner.manager.save(Item, { label: e.label('qr-abandoned') });
      await runner.release();
      for (let i = 0; i < 3; i++) await e.items.save({ label: e.label(`qr-after-${i}`) });
    },
    newItems('qr-after-0', 'qr-after-1', 'qr-after-2'),
  ),
  path(
    QR,
    'released after a failed statement, then the pool is used again',
    async (e) => {
      const runner = e.ds.createQueryRunner();
      await runner.startTransaction();
      await runner.query('SELECT * FROM no_such_table_anywhere').catch(() => undefined);
      await runner.release();
      await e.items.save({ label: e.label('qr-after-fail') });
    },
    (e, _o, b, a) => expectNewItem(e, b, a, e.label('qr-after-fail')),
  ),
];
