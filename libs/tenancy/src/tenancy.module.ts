import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import type { EntityTarget, TenancyModuleOptions } from './config/tenancy-options.interface';
import { TenantConnectionManager } from './connection/tenant-connection.manager';
import { createTenantRepository } from './connection/tenant-proxies';
import { getTenantRepositoryToken } from './connection/tenancy-tokens.util';
import { TenancyCoreModule } from './tenancy-core.module';
import type { TenancyModuleAsyncOptions } from './tenancy.module-definition';

/**
 * Multi-tenancy for NestJS on TypeORM.
 * @example
 * imports: [
 *   TenancyModule.forRootAsync(tenancyConfig.asProvider()),
 *   TenancyModule.forFeature([Order]),
 * ]
 */
@Module({})
export class TenancyModule {
  /** Configures tenancy once, globally by default (`isGlobal: false` to opt out). */
  static forRoot(options: TenancyModuleOptions & { isGlobal?: boolean }): DynamicModule {
    return { module: TenancyModule, imports: [TenancyCoreModule.forRoot(options)], exports: [TenancyCoreModule] };
  }

  /** Like `forRoot`, with options from `useFactory` (+ `inject`, `imports`), `useClass` or `useExisting`. */
  static forRootAsync(options: TenancyModuleAsyncOptions): DynamicModule {
    return { module: TenancyModule, imports: [TenancyCoreModule.forRootAsync(options)], exports: [TenancyCoreModule] };
  }

  /** Registers tenant entities and provides `@InjectTenantRepository(Entity)` for each. */
  static forFeature(entities: EntityTarget[]): DynamicModule {
    const providers: Provider[] = entities.map((entity) => ({
      provide: getTenantRepositoryToken(entity),
      useFactory: (manager: TenantConnectionManager) => {
        manager.registerEntities([entity]);
        return createTenantRepository(manager, entity);
      },
      inject: [TenantConnectionManager],
    }));
    return { module: TenancyModule, providers, exports: providers };
  }
}
