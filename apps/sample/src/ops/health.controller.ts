import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { SkipTenancy, TenancyHealthIndicator } from 'nestjs-tenancy';

/** `GET /health`: 200 when the tenancy database answers and its pool has room, 503 otherwise. */
@SkipTenancy()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly tenancy: TenancyHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.tenancy.isHealthy('tenancy')]);
  }
}
