import { Module } from '@nestjs/common';
import { CliOutput } from './cli-output';
import { MigrateRevertCommand } from './migrate-revert.command';
import { MigrateRunCommand } from './migrate-run.command';
import { MigrateStatusCommand } from './migrate-status.command';
import { TenantsActivateCommand } from './tenants-activate.command';
import { TenantsCreateCommand } from './tenants-create.command';
import { TenantsDeleteCommand } from './tenants-delete.command';
import { TenantsListCommand } from './tenants-list.command';
import { TenantsSuspendCommand } from './tenants-suspend.command';

/**
 * The tenancy commands for nest-commander: `tenants:list`, `tenants:create`, `tenants:suspend`,
 * `tenants:activate`, `tenants:delete`, `migrate:run`, `migrate:revert`, `migrate:status`.
 * Import it next to `TenancyModule.forRoot…` (global, the default) in the application's CLI
 * module and run that with `CommandFactory.run`. A failed command or tenant sets
 * `process.exitCode = 1`.
 * @example
 * // cli.ts
 * @Module({ imports: [TenancyModule.forRootAsync(tenancyConfig.asProvider()), TenancyCliModule] })
 * class AppCliModule {}
 * void CommandFactory.run(AppCliModule, ['error', 'warn']);
 */
@Module({
  providers: [
    CliOutput,
    TenantsListCommand,
    TenantsCreateCommand,
    TenantsSuspendCommand,
    TenantsActivateCommand,
    TenantsDeleteCommand,
    MigrateRunCommand,
    MigrateRevertCommand,
    MigrateStatusCommand,
  ],
})
export class TenancyCliModule {}
