import type { DataSource, EntityManager, ObjectLiteral, Repository } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';
import { TenancyError } from '../errors/tenancy.error';
import type { EntityTarget } from '../config/tenancy-options.interface';
import type { TenantConnectionManager } from './tenant-connection.manager';

type AnyRecord = Record<PropertyKey, unknown>;
type Fn = (...args: unknown[]) => unknown;

/** Members that return a value at once: they cannot wait for a connecting database. */
const SYNC_MEMBERS = new Set<PropertyKey>([
  'create',
  'merge',
  'hasId',
  'getId',
  'metadata',
  'target',
  'manager',
  'queryRunner',
  'createQueryBuilder',
  'extend',
  'getRepository',
  'getTreeRepository',
  'connection',
  'dataSource',
  'createQueryRunner',
  'getMetadata',
  'hasMetadata',
  'entityMetadatas',
  'options',
  'isInitialized',
  'driver',
]);

const NOT_ROUTED = new Set([
  'then',
  'toJSON',
  'onModuleInit',
  'onApplicationBootstrap',
  'onModuleDestroy',
  'beforeApplicationShutdown',
  'onApplicationShutdown',
]);

/**
 * A singleton stand-in that resolves its target on every property access, so one injected
 * instance always acts for the current tenant. When the target is not ready yet (a
 * database-per-tenant DataSource still connecting), methods wait for it.
 */
function routingProxy<T extends object>(resolve: () => T | Promise<T>, own: AnyRecord = {}): T {
  return new Proxy(own, {
    get(ownTarget, prop) {
      if (prop in ownTarget) return ownTarget[prop];
      // Introspection (Nest lifecycle hooks, `await`, inspection) must not need a tenant.
      if (typeof prop === 'symbol' || NOT_ROUTED.has(prop)) return undefined;
      const target = resolve();
      if (!(target instanceof Promise)) {
        const value = (target as AnyRecord)[prop];
        return typeof value === 'function' ? (value as Fn).bind(target) : value;
      }
      if (SYNC_MEMBERS.has(prop)) {
        void target.catch(() => undefined);
        throw new TenancyError(
          `"${prop}" is synchronous but this tenant's database is still connecting. Inside HTTP the guard ` +
            'connects it first; in jobs, `await connections.getDataSource(tenant)` before using repositories.',
        );
      }
      return (...args: unknown[]) => target.then((t) => ((t as AnyRecord)[prop] as Fn).apply(t, args));
    },
  }) as T;
}

/** `@InjectTenantRepository(Entity)`: a Repository that always acts for the current tenant. */
export function createTenantRepository<T extends ObjectLiteral>(
  manager: TenantConnectionManager,
  entity: EntityTarget,
): Repository<T> {
  return routingProxy(() => {
    const em = manager.currentEntityManager();
    return em instanceof Promise
      ? em.then((m) => m.getRepository<T>(entity as never))
      : em.getRepository<T>(entity as never);
  });
}

type Work = (m: EntityManager) => Promise<unknown>;

/** TypeORM's `transaction(fn)` / `transaction(isolationLevel, fn)`, for the current tenant. */
function tenantTransaction(manager: TenantConnectionManager) {
  return (levelOrFn: IsolationLevel | Work, fn?: Work) =>
    typeof levelOrFn === 'function' ? manager.transaction(levelOrFn) : manager.transaction(levelOrFn, fn as Work);
}

/**
 * `@InjectTenantEntityManager()`: its `transaction([isolationLevel,] fn)` keeps the tenant and
 * joins an open one.
 */
export function createTenantEntityManager(manager: TenantConnectionManager): EntityManager {
  return routingProxy(() => manager.currentEntityManager(), { transaction: tenantTransaction(manager) });
}

/** `@InjectTenantDataSource()`: the current tenant's DataSource. */
export function createTenantDataSource(manager: TenantConnectionManager): DataSource {
  return routingProxy(
    () => {
      const em = manager.currentEntityManager();
      return em instanceof Promise ? em.then((m) => m.connection) : em.connection;
    },
    { transaction: tenantTransaction(manager) },
  );
}

/**
 * The `dataSource` of active-record entities (`extends BaseEntity`): `Memo.find()`, `memo.save()`
 * act for the current tenant (inside a library transaction, in it) and throw
 * `TenantContextMissingError` outside a tenant.
 */
export function createActiveRecordDataSource(manager: TenantConnectionManager): DataSource {
  const getRepository = (target: EntityTarget) => {
    const em = manager.currentEntityManager('An active-record entity');
    if (em instanceof Promise) {
      void em.catch(() => undefined);
      throw new TenancyError(
        "Active record is synchronous but this tenant's database is still connecting. Inside HTTP the guard " +
          'connects it first; in jobs, `await connections.getDataSource(tenant)` first.',
      );
    }
    return em.getRepository(target as never);
  };
  return routingProxy(() => createTenantDataSource(manager), {
    getRepository,
    transaction: tenantTransaction(manager),
  });
}

/**
 * Routes the static `dataSource` of every active-record entity among `targets` to `dataSource`.
 * Every DataSource TypeORM builds calls `useDataSource` on these classes (the last one built
 * won, issue 11): those calls are ignored from now on.
 */
export function routeActiveRecord(targets: readonly unknown[], dataSource: DataSource): void {
  for (const target of targets) {
    if (typeof target !== 'function' || typeof (target as { useDataSource?: unknown }).useDataSource !== 'function')
      continue;
    Object.defineProperty(target, 'dataSource', { get: () => dataSource, set: () => undefined, configurable: true });
  }
}
