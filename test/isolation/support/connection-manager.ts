import type { DataSource, QueryRunner } from 'typeorm';
import { resolveTenancyOptions } from '../../../libs/tenancy/src/config/resolve-tenancy-options';
import type {
  ResolvedTenancyOptions,
  TenancyModuleOptions,
} from '../../../libs/tenancy/src/config/tenancy-options.interface';
import { TenancyDataSources } from '../../../libs/tenancy/src/connection/tenancy-data-sources';
import { TenantConnectionManager } from '../../../libs/tenancy/src/connection/tenant-connection.manager';
import { TenantDatabaseOptions } from '../../../libs/tenancy/src/connection/tenant-database.options';
import { TenantContext } from '../../../libs/tenancy/src/context/tenant-context';

/** A connection manager started without Nest, and what it was built from. */
export interface ConnectedManager {
  readonly manager: TenantConnectionManager;
  readonly sources: TenancyDataSources;
  readonly options: ResolvedTenancyOptions;
}

export interface ConnectManagerOptions {
  /** The context the manager reads the current tenant from (default: a fresh one). */
  context?: TenantContext;
  /** Registry entities connected on the root DataSource (default: none). */
  registryEntities?: Parameters<typeof TenancyDataSources.connect>[1];
  /** Runs after the sources connect and before `onModuleInit` (the module creates the store there). */
  beforeInit?: (sources: TenancyDataSources) => Promise<void>;
}

/**
 * Starts a `TenantConnectionManager` as the module does (resolve options, connect the sources,
 * `onModuleInit`), without Nest. A start-up that fails shuts down what it opened, then rethrows.
 */
export async function connectManager(
  input: TenancyModuleOptions,
  { context = new TenantContext(), registryEntities = [], beforeInit }: ConnectManagerOptions = {},
): Promise<ConnectedManager> {
  const options = resolveTenancyOptions(input);
  const sources = await TenancyDataSources.connect(options, registryEntities);
  const manager = new TenantConnectionManager(options, sources, context, new TenantDatabaseOptions(options));
  try {
    await beforeInit?.(sources);
    await manager.onModuleInit();
  } catch (e) {
    await manager.onApplicationShutdown();
    throw e;
  }
  return { manager, sources, options };
}

/** A pg pool client as the pool hands it out. */
export interface PooledClient {
  query(sql: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
  release(): void;
}

/**
 * Checks out the next connection of the pg pool behind `source` (with pool size 1, the same
 * backend every time), runs `fn` on it and releases it.
 */
export async function nextCheckout<T>(source: DataSource, fn: (client: PooledClient) => Promise<T>): Promise<T> {
  const pool = (source.driver as unknown as { master: { connect(): Promise<PooledClient> } }).master;
  const client = await pool.connect();
  try {
    return await fn(client);
  } finally {
    client.release();
  }
}

/** Runs `work` on a fresh query runner of `ds` and releases it, whatever happened. */
export async function onRunner(ds: DataSource, work: (runner: QueryRunner) => Promise<unknown>): Promise<void> {
  const runner = ds.createQueryRunner();
  try {
    await work(runner);
  } finally {
    await runner.release();
  }
}

/**
 * Wraps `query` of the pool's next connection so that every statement sent on it is pushed to
 * `sent`, until the returned `restore` runs (on the next checkout of that connection).
 */
export async function recordStatements(source: DataSource, sent: string[]): Promise<() => Promise<void>> {
  let restore = (): void => undefined;
  await nextCheckout(source, async (client) => {
    const original = client.query;
    client.query = function (this: PooledClient, ...args: [string]) {
      sent.push(typeof args[0] === 'string' ? args[0] : 'query object');
      return original.apply(this, args);
    };
    restore = () => {
      client.query = original;
    };
  });
  return () => nextCheckout(source, async () => restore());
}
