import type { INestApplication } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { TenantConnectionManager, type Tenant, type TenantIsolation } from 'nestjs-tenancy';
import { Order } from '../../fixtures/orders.fixture';
import { provisionTenant } from '../../support/tenancy-app';

/** Two provisioned tenants of the orders fixture app, each holding one order (`a-1`, `b-1`). */
export interface TwoTenantOrders {
  readonly a: Tenant;
  readonly b: Tenant;
  /** The DataSource of `a`. */
  readonly ds: DataSource;
}

/**
 * Provisions `identifiers` (in that order) on a booted orders fixture app, saves the order `a-1`
 * through the first tenant's DataSource and `b-1` through the second's.
 */
export async function provisionTwoTenantOrders(
  app: INestApplication,
  [first, second]: [string, string],
  strategy: TenantIsolation,
): Promise<TwoTenantOrders> {
  const a = await provisionTenant(app, first, strategy);
  const b = await provisionTenant(app, second, strategy);
  const connections = app.get(TenantConnectionManager);
  const ds = await connections.getDataSource(a);
  await ds.getRepository(Order).save({ label: 'a-1' });
  await (await connections.getDataSource(b)).getRepository(Order).save({ label: 'b-1' });
  return { a, b, ds };
}
