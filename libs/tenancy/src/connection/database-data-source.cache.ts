import { LRUCache } from 'lru-cache';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { guardMysqlTenantDatabase } from '../isolation/mysql-database-strategy.guard';
import { serializeSqliteConnection } from '../isolation/sqlite-connection.lock';
import { bindViewTenant } from '../isolation/tenant-id.subscriber';
import type { Tenant } from '../models/tenant.model';
import { whenDataSourceIdle } from './data-source-idle.util';
import { rollBackOnRelease } from './pg-release-rollback';

/** A DataSource in use; `release()` once the unit of work is done. */
export interface DataSourceLease {
  readonly dataSource: DataSource;
  readonly release: () => void;
}

interface Entry {
  /** The placement the DataSource was opened for: compared with the tenant's on every acquire. */
  readonly strategy: Tenant['isolationStrategy'];
  readonly databaseUrl: Tenant['databaseUrl'];
  ready?: DataSource;
  pending?: Promise<DataSource>;
  leases: number;
  evicted: boolean;
}

/**
 * Database-per-tenant DataSources in an LRU bounded by `maxCachedDataSources`. Creation is
 * single-flight (concurrent first requests make one DataSource). An evicted DataSource is
 * closed once its last lease ends and no query runs on it, never under a running request: a
 * client that disconnects ends its request's scope (and lease) while the handler still runs.
 * Every acquire compares the entry's placement (strategy + databaseUrl) with the tenant's: a
 * tenant moved elsewhere (another instance, an admin process, a missed invalidation) gets a new
 * DataSource, and the old one is retired, never served again.
 */
export class DatabaseDataSourceCache {
  private readonly entries: LRUCache<string, Entry>;
  private created = 0;
  private closed = 0;

  constructor(
    max: number,
    private readonly optionsFor: (tenant: Tenant) => DataSourceOptions,
    private readonly create: (options: DataSourceOptions) => DataSource = (options) => new DataSource(options),
  ) {
    this.entries = new LRUCache<string, Entry>({ max, dispose: (entry) => this.retire(entry) });
  }

  /** A lease on the tenant's DataSource if it is ready (no I/O), else `undefined`. */
  acquireReady(tenant: Tenant): DataSourceLease | undefined {
    const entry = this.current(tenant);
    return entry?.ready ? this.leaseOf(entry, entry.ready) : undefined;
  }

  /** A lease on the tenant's DataSource, initializing it once (single-flight). */
  async acquire(tenant: Tenant): Promise<DataSourceLease> {
    let entry = this.current(tenant);
    if (!entry) {
      entry = { strategy: tenant.isolationStrategy, databaseUrl: tenant.databaseUrl, leases: 0, evicted: false };
      entry.pending = this.open(tenant, entry);
      this.entries.set(tenant.id, entry);
    }
    if (entry.ready) return this.leaseOf(entry, entry.ready);
    entry.leases++; // held while waiting, so an eviction meanwhile cannot close it under us
    try {
      const dataSource = await entry.pending!;
      return { dataSource, release: this.releaser(entry) };
    } catch (error) {
      entry.leases--;
      throw error;
    }
  }

  /** The tenant's entry if it was opened for the tenant's current placement; a stale one is retired. */
  private current(tenant: Tenant): Entry | undefined {
    const entry = this.entries.get(tenant.id);
    if (!entry || (entry.strategy === tenant.isolationStrategy && entry.databaseUrl === tenant.databaseUrl))
      return entry;
    this.entries.delete(tenant.id); // dispose → retire: closed once its last lease ends
    return undefined;
  }

  private leaseOf(entry: Entry, dataSource: DataSource): DataSourceLease {
    entry.leases++;
    return { dataSource, release: this.releaser(entry) };
  }

  private releaser(entry: Entry): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      entry.leases--;
      if (entry.evicted && entry.leases === 0) void this.destroy(entry);
    };
  }

  /** Forgets one tenant (placement changed, tenant deleted); closed once idle. */
  evict(tenantId: string): void {
    this.entries.delete(tenantId);
  }

  stats(): { cached: number; max: number; created: number; closed: number } {
    return { cached: this.entries.size, max: this.entries.max, created: this.created, closed: this.closed };
  }

  async closeAll(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((e) => this.destroy(e, false)));
  }

  private async open(tenant: Tenant, entry: Entry): Promise<DataSource> {
    try {
      const initialized = await this.create(this.optionsFor(tenant)).initialize();
      const opened = await guardMysqlTenantDatabase(rollBackOnRelease(serializeSqliteConnection(initialized))).catch(
        async (error) => {
          await initialized.destroy().catch(() => undefined);
          throw error;
        },
      );
      const dataSource = bindViewTenant(opened, tenant.id);
      this.created++;
      entry.ready = dataSource;
      if (entry.evicted && entry.leases === 0) void this.destroy(entry);
      return dataSource;
    } catch (error) {
      if (this.entries.get(tenant.id) === entry) this.entries.delete(tenant.id);
      throw error;
    } finally {
      entry.pending = undefined;
    }
  }

  private retire(entry: Entry): void {
    entry.evicted = true;
    if (entry.leases === 0 && entry.ready) void this.destroy(entry);
  }

  private async destroy(entry: Entry, whenIdle = true): Promise<void> {
    const ds = entry.ready;
    entry.ready = undefined;
    if (!ds?.isInitialized) return;
    if (whenIdle) await whenDataSourceIdle(ds);
    if (!ds.isInitialized) return;
    this.closed++;
    await ds.destroy().catch(() => undefined);
  }
}
