import {
  Body,
  Controller,
  DefaultValuePipe,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseBoolPipe,
  ParseEnumPipe,
  ParseIntPipe,
  Post,
  Query,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import {
  SkipTenancy,
  TenancyMetricsService,
  TenantAdminService,
  type MigrationReport,
  type TenancyMetrics,
  type Tenant,
  type TenantStatus,
} from 'nestjs-tenancy';
import { AdminTokenGuard } from './admin-token.guard';
import { MigrateTenantsDto, RegisterTenantDto } from './register-tenant.dto';
import { TenancyErrorFilter } from './tenancy-error.filter';

const STATUSES: Record<TenantStatus, TenantStatus> = {
  active: 'active',
  suspended: 'suspended',
  deleted: 'deleted',
  provisioning: 'provisioning',
};

/** A tenant as the admin API shows it: a tenant's own database URL is never echoed. */
export type TenantView = Omit<Tenant, 'databaseUrl'> & { hasOwnDatabase: boolean };

/**
 * Tenant administration over HTTP, behind `Authorization: Bearer <SAMPLE_ADMIN_TOKEN>`.
 * `@SkipTenancy()`: these routes act on tenants, not for one. `:id` is the id or the identifier.
 */
@SkipTenancy()
@UseGuards(AdminTokenGuard)
@UseFilters(TenancyErrorFilter)
@Controller('admin')
export class AdminTenantsController {
  constructor(
    private readonly admin: TenantAdminService,
    private readonly metrics: TenancyMetricsService,
  ) {}

  @Post('tenants')
  async register(@Body() dto: RegisterTenantDto): Promise<TenantView> {
    return view(await this.admin.register(dto));
  }

  @Get('tenants')
  async list(
    @Query('status', new ParseEnumPipe(STATUSES, { optional: true })) status?: TenantStatus,
    @Query('offset', new DefaultValuePipe(0), ParseIntPipe) offset = 0,
    @Query('limit', new DefaultValuePipe(100), ParseIntPipe) limit = 100,
  ): Promise<TenantView[]> {
    return (await this.admin.list({ status, offset, limit })).map(view);
  }

  @Get('tenants/:id')
  async get(@Param('id') id: string): Promise<TenantView> {
    return view(await this.admin.get(id));
  }

  @Post('tenants/:id/suspend')
  @HttpCode(200)
  async suspend(@Param('id') id: string): Promise<TenantView> {
    return view(await this.admin.suspend(id));
  }

  @Post('tenants/:id/activate')
  @HttpCode(200)
  async activate(@Param('id') id: string): Promise<TenantView> {
    return view(await this.admin.activate(id));
  }

  /** Soft delete (status `deleted`, data kept); `?hard=true` drops the tenant's storage too. */
  @Delete('tenants/:id')
  @HttpCode(204)
  async delete(
    @Param('id') id: string,
    @Query('hard', new DefaultValuePipe(false), ParseBoolPipe) hard: boolean,
  ): Promise<void> {
    await this.admin.delete(id, { hard });
  }

  /** Runs pending migrations in every tenant (or those listed). Answers 200 with `failed` > 0 when some failed. */
  @Post('tenants/migrate')
  @HttpCode(200)
  migrate(@Body() dto: MigrateTenantsDto): Promise<MigrationReport> {
    return this.admin.migrate({ tenants: dto.tenants, concurrency: dto.concurrency });
  }

  @Get('metrics')
  getMetrics(): Promise<TenancyMetrics> {
    return this.metrics.getMetrics();
  }
}

function view({ databaseUrl, ...tenant }: Tenant): TenantView {
  return { ...tenant, hasOwnDatabase: databaseUrl !== null };
}
