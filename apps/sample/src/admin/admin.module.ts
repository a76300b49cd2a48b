import { Module } from '@nestjs/common';
import { AdminTenantsController } from './admin-tenants.controller';
import { AdminTokenGuard } from './admin-token.guard';

/** `/admin`: tenant lifecycle and migrations. `TenantAdminService` comes from the global tenancy module. */
@Module({
  controllers: [AdminTenantsController],
  providers: [AdminTokenGuard],
})
export class AdminModule {}
