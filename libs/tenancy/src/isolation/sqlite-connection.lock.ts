import type { DataSource, QueryRunner } from 'typeorm';
import { TenancyError } from '../errors/tenancy.error';
import { assertNoAttach } from './sqlite-table.guard';

/** The better-sqlite3 handle as far as the lock needs it. */
interface SqliteHandle {
  readonly inTransaction: boolean;
}

/** Who holds one better-sqlite3 connection: a runner inside a transaction, or one statement. */
class ConnectionLock {
  private holder?: QueryRunner;
  private readonly waiting: Array<{ runner: QueryRunner; grant: () => void }> = [];

  constructor(private readonly timeoutMs: number) {}

  heldBy(runner: QueryRunner): boolean {
    return this.holder === runner;
  }

  acquire(runner: QueryRunner): Promise<void> | undefined {
    if (!this.holder) {
      this.holder = runner;
      return undefined;
    }
    return new Promise((resolve, reject) => {
      const waiter = { runner, grant: () => (clearTimeout(timer), resolve()) };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        reject(
          new TenancyError(
            `The SQLite connection stayed inside another unit of work's transaction for ${this.timeoutMs} ms. ` +
              'Statements wait while a transaction is open (one connection per file); inside a transaction, ' +
              "use that transaction's EntityManager, and commit, roll back or release every QueryRunner.",
          ),
        );
      }, this.timeoutMs);
      this.waiting.push(waiter);
    });
  }

  release(runner: QueryRunner): void {
    if (this.holder !== runner) return;
    const next = this.waiting.shift();
    this.holder = next?.runner;
    next?.grant();
  }
}

const locks = new WeakMap<object, ConnectionLock>();
const stmtCaches = new WeakMap<object, Map<string, unknown>>();

/**
 * better-sqlite3 is one connection per file and TypeORM hands every caller the driver's one
 * runner, so concurrent units of work shared one transaction state (issue 11, item 4: a failed
 * transaction rolled back another tenant's acknowledged write). After this, each
 * `createQueryRunner()` is a fresh runner, and a per-connection lock is held by the runner whose
 * statement left the connection inside a transaction (TypeORM's `BEGIN`, or a raw one) until the
 * transaction ends; any other runner's statement waits meanwhile instead of joining it.
 * ATTACH and DETACH are refused (`assertNoAttach`). A no-op for other drivers. Relies on TypeORM internals pinned in shared-pool-view.spec.ts.
 */
export function serializeSqliteConnection(dataSource: DataSource): DataSource {
  if (dataSource.options.type !== 'better-sqlite3') return dataSource;
  const driver = dataSource.driver as unknown as {
    queryRunner?: QueryRunner;
    createQueryRunner(mode: 'master' | 'slave'): QueryRunner;
  };
  const timeoutMs = (dataSource.options as { timeout?: number }).timeout ?? 5000;
  const create = driver.createQueryRunner;
  driver.createQueryRunner = function (this: typeof driver, mode) {
    this.queryRunner = undefined; // the driver caches its one runner: make a new one
    const runner = create.call(this, mode);
    this.queryRunner = undefined;
    // Prepared statements stay shared per driver, as with TypeORM's single runner.
    let cache = stmtCaches.get(this);
    if (!cache) stmtCaches.set(this, (cache = new Map()));
    Object.assign(runner, { stmtCache: cache });
    return lockRunner(runner, timeoutMs);
  };
  return dataSource;
}

function lockRunner(runner: QueryRunner, timeoutMs: number): QueryRunner {
  const query = runner.query.bind(runner) as (
    sql: string,
    params?: unknown[],
    structured?: boolean,
  ) => Promise<unknown>;
  const release = runner.release.bind(runner);
  const lockOf = async () => {
    const handle = (await runner.connect()) as SqliteHandle & object;
    let lock = locks.get(handle);
    if (!lock) locks.set(handle, (lock = new ConnectionLock(timeoutMs)));
    return { handle, lock };
  };
  (runner as { query: unknown }).query = async (sql: string, params?: unknown[], structured?: boolean) => {
    assertNoAttach(sql);
    const { handle, lock } = await lockOf();
    if (!lock.heldBy(runner)) await lock.acquire(runner);
    try {
      return await query(sql, params, structured);
    } finally {
      if (!handle.inTransaction) lock.release(runner);
    }
  };
  runner.release = async () => {
    const { handle, lock } = await lockOf();
    if (lock.heldBy(runner)) {
      // Released inside its transaction (never committed, or after a failed statement): roll back.
      try {
        if (handle.inTransaction) await query('ROLLBACK');
      } finally {
        Object.assign(runner, { isTransactionActive: false, transactionDepth: 0 });
        lock.release(runner);
      }
    }
    return release();
  };
  return runner;
}
