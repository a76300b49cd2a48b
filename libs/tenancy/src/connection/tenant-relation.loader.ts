import type { DataSource, EntityManager, ObjectLiteral, QueryRunner, SelectQueryBuilder } from 'typeorm';
import type { RelationMetadata } from 'typeorm/metadata/RelationMetadata';
import { RelationLoader } from 'typeorm/query-builder/RelationLoader';
import { TenancyError } from '../errors/tenancy.error';
import { viewTenantOf } from '../isolation/tenant-id.subscriber';

/**
 * Lazy relations and `RelationQueryBuilder.loadOne()/loadMany()` on TypeORM 1.x internals
 * (pinned by tenant-relation.loader.spec.ts):
 * - a DataSource's `relationLoader` serves `RelationQueryBuilder` loads, and its
 *   `enableLazyLoad(relation, target)` installs the lazy getters: on the entity prototype when the
 *   metadata is built (every DataSource built replaces them: the last one wins), on an instance
 *   (with the query runner it was read by) when TypeORM creates an entity;
 * - a query runner's `connection` is the DataSource (here: the tenant view) it came from.
 * TypeORM's own getter loads through the metadata's DataSource (the shared placeholder set) and
 * leaves a failed load as an unhandled rejection, which ends a Node process (issue 11).
 */

/** The current tenant's EntityManager (throws TenantContextMissingError outside a tenant). */
export type CurrentTenantManager = () => EntityManager | Promise<EntityManager>;
/** The current tenant's id, or undefined outside any tenant. */
export type CurrentTenantId = () => string | undefined;

const CURRENT = Symbol('tenancy:current-tenant-manager');
const CURRENT_ID = Symbol('tenancy:current-tenant-id');

/**
 * Gives `dataSource` a loader that loads through the tenant an entity was read through (its view,
 * or a database-per-tenant DataSource), else through the current tenant. An entity read for one
 * tenant and awaited inside another tenant's scope (a job for B holding A's entity) is refused:
 * B's unit of work would receive A's rows. Install it before the metadata is built (constructor →
 * here → `buildMetadatas`/`initialize`) so the lazy getters are its own.
 */
export function useTenantRelationLoader<T extends DataSource>(
  dataSource: T,
  current: CurrentTenantManager,
  currentId?: CurrentTenantId,
): T {
  Object.defineProperty(dataSource, CURRENT, { value: current, configurable: true });
  Object.defineProperty(dataSource, CURRENT_ID, { value: currentId, configurable: true });
  Object.assign(dataSource, { relationLoader: new TenantRelationLoader(dataSource) });
  return dataSource;
}

/** @internal See {@link useTenantRelationLoader}; views over a shared set make one bound to the view. */
export class TenantRelationLoader extends RelationLoader {
  constructor(private readonly owner: DataSource) {
    super(owner);
  }

  override load(
    relation: RelationMetadata,
    entities: ObjectLiteral | ObjectLiteral[],
    queryRunner?: QueryRunner,
    queryBuilder?: SelectQueryBuilder<ObjectLiteral>,
    loadEagerRelations?: boolean,
  ): Promise<ObjectLiteral[]> {
    if (queryBuilder) return super.load(relation, entities, queryRunner, queryBuilder, loadEagerRelations);
    return this.route(this.tenantSource(queryRunner), relation, entities, queryRunner) as Promise<ObjectLiteral[]>;
  }

  override enableLazyLoad(relation: RelationMetadata, entity: ObjectLiteral, queryRunner?: QueryRunner): void {
    // A prototype's getter serves every instance: only the current tenant can decide for it. An
    // instance keeps the tenant it was read through: TypeORM passes the runner only inside a
    // transaction, so otherwise the tenant current when it was created (a find's tenant).
    const isPrototype =
      Object.hasOwn(entity, 'constructor') && (entity.constructor as { prototype?: unknown }).prototype === entity;
    const through = isPrototype ? undefined : (this.tenantSource(queryRunner) ?? this.currentNow()?.connection);
    defineLazyProperty(relation, entity, (rel, target) => this.route(through, rel, target, queryRunner));
  }

  /** The tenant DataSource the runner (else this loader's own DataSource) belongs to. */
  private tenantSource(runner?: QueryRunner): DataSource | undefined {
    return [runner?.connection, this.owner].find((ds) => ds && viewTenantOf(ds) !== undefined);
  }

  private route(
    through: DataSource | undefined,
    relation: RelationMetadata,
    entities: ObjectLiteral | ObjectLiteral[],
    runner?: QueryRunner,
  ): Promise<unknown[]> {
    const foreign = through && this.foreignScope(through, relation);
    if (foreign) return Promise.reject(foreign);
    if (through === this.owner) return super.load(relation, entities, runner);
    if (through) {
      // A released runner cannot serve; the scope's open transaction on that DataSource can.
      const open = runner && !runner.isReleased ? undefined : this.currentNow();
      const usable = runner?.connection === through ? runner : undefined;
      return loadThrough(through, relation, entities, open?.connection === through ? open.queryRunner : usable);
    }
    return (async () => {
      const current = this.current;
      if (!current) throw new TenancyError(`Lazy relation ${relation.propertyPath}: no tenant DataSource is known.`);
      const manager = await current();
      return loadThrough(manager.connection, relation, entities, manager.queryRunner);
    })();
  }

  /** Refusal when the entity's tenant is not the scope's (a scope of no tenant may load it). */
  private foreignScope(through: DataSource, relation: RelationMetadata): TenancyError | undefined {
    const own = viewTenantOf(through);
    const currentId = (this.owner as unknown as Record<symbol, CurrentTenantId | undefined>)[CURRENT_ID];
    const now = currentId?.();
    if (!own || !now || own === now) return undefined;
    return new TenancyError(
      `Lazy relation ${relation.propertyPath} of an entity read for tenant ${own} was awaited in the scope of tenant ` +
        `${now}: refused (that tenant's unit of work would receive another tenant's rows). Load it in the scope of ` +
        "the entity's own tenant (TenantContext.run), or read the entity again for this tenant.",
    );
  }

  private get current(): CurrentTenantManager | undefined {
    return (this.owner as unknown as Record<symbol, CurrentTenantManager | undefined>)[CURRENT];
  }

  /** The current tenant's EntityManager if one is set and ready now (no I/O), else undefined. */
  private currentNow(): EntityManager | undefined {
    try {
      const manager = this.current?.();
      return manager instanceof Promise ? (manager.catch(() => undefined), undefined) : manager;
    } catch {
      return undefined;
    }
  }
}

function loadThrough(
  ds: DataSource,
  relation: RelationMetadata,
  entities: ObjectLiteral | ObjectLiteral[],
  runner?: QueryRunner,
): Promise<unknown[]> {
  const own = ds.entityMetadatas.includes(relation.entityMetadata)
    ? relation
    : ds.hasMetadata(relation.entityMetadata.target)
      ? ds.getMetadata(relation.entityMetadata.target).findRelationWithPropertyPath(relation.propertyPath)
      : undefined;
  if (!own) {
    return Promise.reject(
      new TenancyError(`Lazy relation ${relation.propertyPath}: the tenant's DataSource does not know this entity.`),
    );
  }
  return ds.relationLoader.load(own, entities, runner);
}

/**
 * TypeORM's lazy property (same storage keys, so its persistence code reads the loaded value), but
 * a failed load is handled here and forgotten: the caller's `await` gets the error, nothing is
 * left unhandled, and the next access tries again.
 */
function defineLazyProperty(
  relation: RelationMetadata,
  entity: ObjectLiteral,
  load: (relation: RelationMetadata, entity: ObjectLiteral) => Promise<unknown[]>,
): void {
  const dataKey = `__${relation.propertyName}__`;
  const promiseKey = `__promise_${relation.propertyName}__`;
  const hasKey = `__has_${relation.propertyName}__`;
  const single = relation.isOneToOne || relation.isManyToOne;
  const setData = (target: ObjectLiteral, value: unknown): unknown => {
    target[dataKey] = value;
    target[hasKey] = true;
    delete target[promiseKey];
    return value;
  };
  const setPromise = (target: ObjectLiteral, promise: Promise<unknown>): Promise<unknown> => {
    delete target[hasKey];
    delete target[dataKey];
    target[promiseKey] = promise;
    promise.then(
      (result) => (target[promiseKey] === promise ? setData(target, result) : result),
      () => {
        if (target[promiseKey] === promise) delete target[promiseKey];
      },
    );
    return promise;
  };
  Object.defineProperty(entity, relation.propertyName, {
    get(this: ObjectLiteral) {
      if (this[hasKey] === true || this[dataKey] !== undefined) return Promise.resolve(this[dataKey]);
      if (this[promiseKey]) return this[promiseKey];
      const loading = load(relation, this).then((rows) => (single ? (rows[0] ?? null) : rows));
      return setPromise(this, loading);
    },
    set(this: ObjectLiteral, value: unknown) {
      if (value instanceof Promise) setPromise(this, value);
      else setData(this, value);
    },
    configurable: true,
    enumerable: false,
  });
}
