import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { TenancyModuleOptions } from './config/tenancy-options.interface';

/** Builds `forRoot` / `forRootAsync` (useFactory | useClass | useExisting), global by default. */
export const {
  ConfigurableModuleClass: TenancyConfigurableModule,
  MODULE_OPTIONS_TOKEN: TENANCY_MODULE_OPTIONS,
  OPTIONS_TYPE: TENANCY_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: TENANCY_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<TenancyModuleOptions>({ moduleName: 'Tenancy' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createTenancyOptions')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();

/** `forRootAsync` options (`imports`, `inject`, `useFactory` | `useClass` | `useExisting`). */
export type TenancyModuleAsyncOptions = typeof TENANCY_ASYNC_OPTIONS_TYPE;
