import type { EntityTarget } from '../config/tenancy-options.interface';

/** Token of a tenant repository: `TENANCY:OrderRepository`, distinct from @nestjs/typeorm's. */
export function getTenantRepositoryToken(entity: EntityTarget): string {
  const name =
    typeof entity === 'function'
      ? entity.name
      : typeof entity === 'string'
        ? entity
        : (entity as { options?: { name?: string } }).options?.name;
  return `TENANCY:${name ?? 'Entity'}Repository`;
}

/** Token of the tenant EntityManager proxy. */
export const TENANT_ENTITY_MANAGER = 'TENANCY:EntityManager';
/** Token of the tenant DataSource proxy. */
export const TENANT_DATA_SOURCE = 'TENANCY:DataSource';
