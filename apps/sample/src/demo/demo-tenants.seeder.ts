import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { TenantAdminService, TenantContext, TenantNotFoundError } from 'nestjs-tenancy';
import { OrdersService } from '../orders/orders.service';
import { SAMPLE_SETTINGS, type SampleSettings } from '../sample.settings';

/** The tenants `npm start` shows, each with one order. */
export const DEMO_TENANTS = [
  {
    identifier: 'acme',
    name: 'Acme Corporation',
    order: { item: 'Rocket skates', quantity: 1, customerEmail: 'wile.e@acme.test', customerName: 'Wile E. Coyote' },
  },
  {
    identifier: 'globex',
    name: 'Globex Corporation',
    order: { item: 'Doomsday device', quantity: 2, customerEmail: 'hank@globex.test', customerName: 'Hank Scorpio' },
  },
] as const;

/**
 * Registers the demo tenants that do not exist yet, and seeds one order in each, inside the
 * tenant's scope (`TenantContext.run`), as a job or a CLI would. Tenants that exist in any
 * status (a suspended `globex`, say) are left as they are. `SAMPLE_DEMO_TENANTS=false` skips it.
 */
@Injectable()
export class DemoTenantsSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(DemoTenantsSeeder.name);

  constructor(
    private readonly admin: TenantAdminService,
    private readonly context: TenantContext,
    private readonly orders: OrdersService,
    @Inject(SAMPLE_SETTINGS) private readonly settings: SampleSettings,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.settings.demoTenants) return;
    for (const demo of DEMO_TENANTS) {
      if (await this.exists(demo.identifier)) continue;
      const tenant = await this.admin.register({ identifier: demo.identifier, name: demo.name });
      await this.context.run(tenant, () => this.orders.create({ ...demo.order }));
      this.logger.log(`Registered demo tenant "${tenant.identifier}" with one order`);
    }
  }

  private async exists(identifier: string): Promise<boolean> {
    try {
      await this.admin.get(identifier);
      return true;
    } catch (error) {
      if (error instanceof TenantNotFoundError) return false;
      throw error;
    }
  }
}
