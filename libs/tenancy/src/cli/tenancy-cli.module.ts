import { Module } from '@nestjs/common';
import { RlsSharedMigrations } from '../isolation/rls-shared-migrations';
import { CliOutput } from './cli-output';
import { MigrateRevertCommand } from './migrate-revert.command';
import { MigrateRunCommand } from './migrate-run.command';
import { MigrateStatusCommand } from './migrate-status.command';
import { TenantsActivateCommand } from './tenants-activate.command';
import { TenantsCreateCommand } from './tenants-create.command';
import { TenantsDeleteCommand } from './tenants-delete.command';
import { TenantsListCommand } from './tenants-list.command';
import { TenantsSuspendCommand } from './tenants-suspend.command';
import { TenantsSyncCommand } from './tenants-sync.command';

/**
 * The tenancy commands for nest-commander: `tenants:list`, `tenants:create`, `tenants:suspend`,
 * `tenants:activate`, `tenants:delete`, `tenants:sync`, `migrate:run`, `migrate:revert`, `migrate:status`.
 * Import it next to `TenancyModule.forRoot…` (global, the default) in the application's CLI
 * module and run that with `CommandFactory.run`. A failed command or tenant sets
 * `process.exitCode = 1`. Under RLS, the CLI's start-up leaves pending migrations of the shared
 * tables to `migrate:run` (which applies and reports them once), where an application's start-up
 * applies them itself.
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
    TenantsSyncCommand,
    MigrateRunCommand,
    MigrateRevertCommand,
    MigrateStatusCommand,
    {
      // Built before any module initializes, so the start-up that follows sees it.
      provide: 'nestjs-tenancy:cli-defers-rls-migrations',
      useFactory: (rls?: RlsSharedMigrations) => rls?.deferAtStartUp() ?? null,
      inject: [{ token: RlsSharedMigrations, optional: true }],
    },
  ],
})
export class TenancyCliModule {}
