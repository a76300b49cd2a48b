import type { DataSource, QueryRunner } from 'typeorm';

/**
 * The one place that relies on TypeORM 1.x internals (pinned by shared-pool-view.spec.ts, so an
 * upgrade that breaks it fails loudly):
 * - a DataSource built with `buildMetadatas()` only, its driver borrowing an initialized
 *   driver's pool (`driver.master`), serves queries without `initialize()`;
 * - `Object.create(dataSource)` with its own `driver`/`manager` is a full DataSource whose query
 *   runners come from that driver, so one shared metadata set serves every tenant;
 * - every query of a runner goes through `runner.query()`, and every runner gets its connection
 *   from `driver.obtainMasterConnection()`.
 */

/** Placeholder schema the shared tenant metadata is built with; replaced per tenant in SQL. */
export const SCHEMA_PLACEHOLDER = '__tenancy_schema__';

/** What a tenant view changes on the way to the database. */
export interface ViewBinding {
  /** Rewrites SQL text (schema mode: the placeholder becomes the tenant schema). */
  rewrite?: (sql: string) => string;
  /** Called once per connection checkout, before the runner's first query. */
  onCheckout?: (client: PgClient) => Promise<void>;
  /** On release: a promise the connection waits for before it returns to the pool, or nothing to reset. */
  onRelease?: (client: PgClient) => Promise<void> | void;
  /** Wraps runner queries (transaction scope mode). */
  wrapQuery?: (
    runner: QueryRunner,
    run: (sql: string, params?: unknown[]) => Promise<unknown>,
    sql: string,
    params?: unknown[],
  ) => Promise<unknown>;
  /** Runs after START TRANSACTION on a runner (transaction scope mode). */
  afterTransactionStart?: (runner: QueryRunner) => Promise<void>;
  /** Adjusts every query runner the view creates (e.g. RLS: `clearTable` deletes the tenant's rows). */
  decorateRunner?: (runner: QueryRunner) => void;
  /** Raw `query()` through the view (not TypeORM-generated SQL). */
  rawQuery?: (runner: QueryRunner, sql: string, params?: unknown[]) => Promise<unknown>;
}

/** The pg client of a checkout (`query`, and its 'error' event). */
export interface PgClient {
  query(sql: string, params?: unknown[]): Promise<unknown>;
  on?(event: 'error', listener: (error: unknown) => void): unknown;
  removeListener?(event: 'error', listener: (error: unknown) => void): unknown;
}

type Release = (err?: unknown) => void;
interface PgDriverInternals {
  master: unknown;
  dataSource: DataSource;
  obtainMasterConnection(): Promise<[PgClient, Release]>;
  createQueryRunner(mode: 'master' | 'slave'): QueryRunner;
}

/** Makes `metadataOnly` (built, never initialized) use `owner`'s initialized pool. */
export async function borrowPool(metadataOnly: DataSource, owner: DataSource): Promise<DataSource> {
  await (metadataOnly as unknown as { buildMetadatas(): Promise<void> }).buildMetadatas();
  const from = owner.driver as unknown as Record<string, unknown>;
  const to = metadataOnly.driver as unknown as Record<string, unknown>;
  for (const key of [
    'master',
    'slaves',
    'pool',
    'poolCluster',
    'databaseConnection',
    'version',
    'database',
    'searchSchema',
    'isGeneratedColumnsSupported',
  ]) {
    if (from[key] !== undefined) to[key] = from[key];
  }
  Object.assign(metadataOnly, { isInitialized: true });
  return metadataOnly;
}

/** A DataSource over `base`'s metadata and pool whose every query is shaped by `binding`. */
export function createTenantView(base: DataSource, binding: ViewBinding): DataSource {
  const view = Object.create(base) as DataSource;
  const baseDriver = base.driver as unknown as PgDriverInternals;
  const driver = Object.create(baseDriver) as PgDriverInternals;
  driver.dataSource = view;
  // SQLite drivers keep one runner per driver: the view needs its own (patched) one.
  if ('queryRunner' in baseDriver) Object.assign(driver, { queryRunner: undefined });
  if (binding.onCheckout || binding.onRelease) {
    driver.obtainMasterConnection = async () => {
      const [client, release] = await baseDriver.obtainMasterConnection.call(driver);
      try {
        if (binding.onCheckout) await guarded(client, binding.onCheckout);
      } catch (err) {
        release(err); // a connection whose scoping failed is destroyed, never reused
        throw err;
      }
      const scopedRelease: Release = (err) => {
        if (err || !binding.onRelease) return release(err);
        const reset = guarded(client, binding.onRelease);
        if (!reset) return release();
        reset.then(
          () => release(),
          (resetError: unknown) => release(resetError ?? new Error('reset failed')),
        );
      };
      return [client, scopedRelease];
    };
  }
  driver.createQueryRunner = (mode) => {
    const runner = patchRunner(baseDriver.createQueryRunner.call(driver, mode), binding);
    binding.decorateRunner?.(runner);
    return runner;
  };
  Object.assign(view, { driver });
  Object.assign(view, { manager: view.createEntityManager() });
  if (binding.rawQuery) {
    const rawQuery = binding.rawQuery;
    view.query = (async (sql: string, params?: unknown[], queryRunner?: QueryRunner) => {
      const runner = queryRunner ?? view.createQueryRunner();
      try {
        return await rawQuery(runner, sql, params);
      } finally {
        if (!queryRunner) await runner.release();
      }
    }) as DataSource['query'];
  }
  return view;
}

/**
 * Runs `work` on a checked-out client with an 'error' listener. Between pg-pool's idle listener
 * (removed at checkout) and TypeORM's (added after the checkout, removed before release) nobody
 * listens, and a client whose backend dies (pg_terminate_backend, failover) emits 'error':
 * unheard, that crashes the process. A client that errored keeps the listener (it is being
 * discarded and may emit again) and the work fails with the error.
 */
function guarded(client: PgClient, work: (client: PgClient) => Promise<void> | void): Promise<void> | undefined {
  let failure: { error: unknown } | undefined;
  const onError = (error: unknown) => (failure ??= { error });
  client.on?.('error', onError);
  let pending: Promise<void> | void;
  try {
    pending = work(client);
  } catch (error) {
    pending = Promise.reject(error);
  }
  if (!pending) {
    // Nothing was sent (an unscoped schema-view connection): no promise, no deferred release.
    client.removeListener?.('error', onError);
    return undefined;
  }
  return pending.then(
    () => {
      if (failure) throw failure.error;
      client.removeListener?.('error', onError);
    },
    (error: unknown) => {
      throw (failure ??= { error }).error;
    },
  );
}

function patchRunner(runner: QueryRunner, binding: ViewBinding): QueryRunner {
  const { rewrite, wrapQuery, afterTransactionStart } = binding;
  if (!rewrite && !wrapQuery && !afterTransactionStart) return runner;
  const query = runner.query.bind(runner) as (
    sql: string,
    params?: unknown[],
    structured?: boolean,
  ) => Promise<unknown>;
  const send = rewrite ? (sql: string, p?: unknown[], s?: boolean) => query(rewrite(sql), p, s) : query;
  (runner as { query: unknown }).query = wrapQuery
    ? (sql: string, p?: unknown[], s?: boolean) => wrapQuery(runner, (q, pp) => send(q, pp, s), sql, p)
    : send;
  if (afterTransactionStart) {
    const start = runner.startTransaction.bind(runner);
    runner.startTransaction = async (level) => {
      const outermost = !runner.isTransactionActive;
      await start(level);
      if (outermost) await afterTransactionStart(runner);
    };
  }
  return runner;
}
