import { Inject } from '@nestjs/common';
import type { EntityTarget } from '../config/tenancy-options.interface';
import { TENANT_DATA_SOURCE, TENANT_ENTITY_MANAGER, getTenantRepositoryToken } from './tenancy-tokens.util';

/**
 * Injects a `Repository<Entity>` that acts for the current tenant (a singleton, never
 * request-scoped). Register the entity with `TenancyModule.forFeature([Entity])`.
 * @example constructor(@InjectTenantRepository(Order) private readonly orders: Repository<Order>) {}
 */
export const InjectTenantRepository = (entity: EntityTarget): ParameterDecorator & PropertyDecorator =>
  Inject(getTenantRepositoryToken(entity));

/** Injects the current tenant's `EntityManager` (its `transaction()` keeps the tenant). */
export const InjectTenantEntityManager = (): ParameterDecorator & PropertyDecorator => Inject(TENANT_ENTITY_MANAGER);

/** Injects the current tenant's `DataSource` (raw `query()` is scoped too). */
export const InjectTenantDataSource = (): ParameterDecorator & PropertyDecorator => Inject(TENANT_DATA_SOURCE);
