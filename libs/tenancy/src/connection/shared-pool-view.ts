import type { DataSource, QueryRunner } from 'typeorm';
import { TenantScopeViolationError } from '../errors/tenant-scope-violation.error';
import { guarded } from './checkout-guard.util';
import { carriedState, clearCarried, rawConnects, sessionGuarded, type Connect } from './shared-pool-session';
import { counted, statementKind, type PgClient, type StatementKind, type ViewBinding } from './view-binding';

export { statementKind, type PgClient, type StatementKind, type ViewBinding } from './view-binding';

/**
 * The one place that relies on TypeORM 1.x internals (pinned by shared-pool-view.spec.ts, so an
 * upgrade that breaks it fails loudly):
 * - a DataSource built with `buildMetadatas()` only, its driver borrowing an initialized
 *   driver's pool (`driver.master`), serves queries without `initialize()`;
 * - `Object.create(dataSource)` with its own `driver`/`manager` is a full DataSource whose query
 *   runners come from that driver, so one shared metadata set serves every tenant;
 * - every query of a runner goes through `runner.query()`, and every runner gets its connection
 *   from `driver.obtainMasterConnection()`;
 * - `RelationQueryBuilder` loads through `dataSource.relationLoader` (one bound to each view).
 */

/** Placeholder schema the shared tenant metadata is built with; replaced per tenant in SQL. */
export const SCHEMA_PLACEHOLDER = '__tenancy_schema__';

type Release = (err?: unknown) => void;
interface PgDriverInternals {
  master: object;
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

/**
 * A DataSource over `base`'s metadata and pool whose every query is shaped by `binding`.
 * @param onViolation called for each statement the scoping check refuses (metrics).
 */
export function createTenantView(base: DataSource, scoping: ViewBinding, onViolation?: () => void): DataSource {
  const binding = onViolation ? counted(scoping, onViolation) : scoping;
  const view = Object.create(base) as DataSource;
  const baseDriver = base.driver as unknown as PgDriverInternals;
  const driver = Object.create(baseDriver) as PgDriverInternals;
  driver.dataSource = view;
  // SQLite drivers keep one runner per driver: the view needs its own (patched) one.
  if ('queryRunner' in baseDriver) Object.assign(driver, { queryRunner: undefined });
  if (binding.onCheckout || binding.onRelease || binding.sessionReset || sessionGuarded.has(baseDriver.master)) {
    const raw = rawConnects.get(baseDriver.master);
    const obtain = (): Promise<[PgClient, Release]> =>
      raw ? rawObtain(baseDriver.master, raw) : baseDriver.obtainMasterConnection.call(driver);
    driver.obtainMasterConnection = async () => {
      const [client, release] = await obtain();
      try {
        const carried = carriedState.get(client);
        if (!binding.session || carried?.key !== binding.session.key) {
          if (carried && !binding.session) await guarded(client, (c) => clearCarried(c, carried));
          if (binding.onCheckout) await guarded(client, binding.onCheckout);
          if (binding.session) carriedState.set(client, binding.session);
        }
      } catch (err) {
        release(err); // a connection whose scoping failed is destroyed, never reused
        throw err;
      }
      const checkout = { rawSql: false };
      checkouts.set(client, checkout);
      const scopedRelease: Release = (err) => {
        checkouts.delete(client);
        if (err) return release(err);
        const reset = guarded(client, (c) => releaseWork(c, binding, checkout.rawSql));
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
  // RelationQueryBuilder loads go through `dataSource.relationLoader`: the view needs its own (issue 11).
  const Loader = base.relationLoader.constructor as new (dataSource: DataSource) => DataSource['relationLoader'];
  Object.assign(view, { relationLoader: new Loader(view) });
  const rawQuery = binding.rawQuery ?? ((runner: QueryRunner, sql: string, p?: unknown[]) => runner.query(sql, p));
  view.query = (async (sql: string, params?: unknown[], queryRunner?: QueryRunner) => {
    // A runner of another tenant's view would run the SQL in that tenant's scope.
    if (!binding.rawQuery && queryRunner && queryRunner.connection !== view) {
      onViolation?.();
      throw new TenantScopeViolationError(
        'query(sql, params, runner) through a tenant DataSource was given a runner of another DataSource: ' +
          "use a runner of this DataSource (its createQueryRunner() or a manager's queryRunner).",
      );
    }
    const runner = queryRunner ?? view.createQueryRunner();
    try {
      return await rawQuery(runner, sql, params);
    } finally {
      if (!queryRunner) await runner.release();
    }
  }) as DataSource['query'];
  return view;
}

/** Per checkout (PostgreSQL views): whether raw SQL ran, so the session may carry a tenant's state. */
const checkouts = new WeakMap<PgClient, { rawSql: boolean }>();

/** TypeORM's `obtainMasterConnection` on the unguarded `connect` (the view clears or keeps the state itself). */
function rawObtain(pool: unknown, connect: Connect): Promise<[PgClient, Release]> {
  return new Promise((ok, fail) => {
    connect.call(pool, (err, client, release) => (err ? fail(err) : ok([client, release])));
  });
}

/**
 * What a connection needs before it returns to the pool: an open transaction rolled back
 * (TypeORM releases without one after a manual runner, a failed statement or a raw BEGIN), the
 * session reset when raw SQL ran, then the binding's reset. Nothing on the ORM-only path.
 */
function releaseWork(client: PgClient, binding: ViewBinding, rawSql: boolean): Promise<void> | void {
  const status = client.getTransactionStatus?.();
  const open = status === 'T' || status === 'E';
  const clean = rawSql && binding.sessionReset !== undefined;
  if (!open && !clean) return binding.onRelease?.(client, false);
  const sql = [open ? 'ROLLBACK' : '', clean ? binding.sessionReset : ''].filter(Boolean).join('; ');
  // The session reset (RESET ALL) clears what the connection carried too.
  if (clean) carriedState.delete(client);
  return client.query(sql).then(() => binding.onRelease?.(client, clean));
}

type Query = (sql: string, params?: unknown[], structured?: boolean) => Promise<unknown>;
type Stream = (sql: string, params?: unknown[], onEnd?: unknown, onError?: unknown) => Promise<unknown>;

function patchRunner(runner: QueryRunner, binding: ViewBinding): QueryRunner {
  const { rewrite, check, checkOrm, wrapQuery, afterTransactionStart, beforeStream, sessionReset, afterStatement } =
    binding;
  if (!rewrite && !check && !checkOrm && !wrapQuery && !afterTransactionStart && !sessionReset) return runner;
  const query = runner.query.bind(runner) as Query;
  const send = (sql: string, kind: StatementKind, p?: unknown[], s?: boolean) => {
    const out = rewrite ? rewrite(sql) : sql;
    // TypeORM's own SQL, checked without its connection: nothing to wait for (the common path).
    if (kind === 'orm' && checkOrm) {
      checkOrm(out);
      return query(out, p, s);
    }
    if (!check && !(kind === 'raw' && sessionReset)) return query(out, p, s);
    const sendOn = (client: PgClient) => {
      check?.(out, kind, client);
      const checkout = kind === 'raw' ? checkouts.get(client) : undefined;
      if (checkout) checkout.rawSql = true;
      if (!afterStatement || kind === 'orm') return query(out, p, s);
      return query(out, p, s).then((result) => {
        const after = afterStatement(client, kind, out);
        return after ? after.then(() => result) : result;
      });
    };
    // Already connected (a transaction, a manual runner's later statements): no extra await.
    const connected = (runner as { databaseConnection?: PgClient }).databaseConnection;
    return connected && !runner.isReleased ? sendOn(connected) : runner.connect().then(sendOn);
  };
  (runner as { query: Query }).query = (sql, p, s) => {
    const kind = statementKind(sql, s);
    return wrapQuery ? wrapQuery(runner, (q, pp) => send(q, kind, pp, s), sql, p, kind) : send(sql, kind, p, s);
  };
  const stream = (runner as { stream?: Stream }).stream?.bind(runner);
  if (stream) {
    (runner as { stream: Stream }).stream = async (sql, p, onEnd, onError) => {
      const out = rewrite ? rewrite(sql) : sql;
      try {
        await beforeStream?.(runner, out);
        check?.(out, 'orm', (await runner.connect()) as PgClient);
      } catch (error) {
        // TypeORM releases a stream's runner only from these callbacks.
        if (typeof onError === 'function') await (onError as (e: unknown) => unknown)(error);
        throw error;
      }
      return stream(out, p, onEnd, onError);
    };
  }
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
