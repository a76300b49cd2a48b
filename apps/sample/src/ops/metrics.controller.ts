import { Controller, Get, Header, NotFoundException, UseGuards } from '@nestjs/common';
import { Registry } from 'prom-client';
import { SkipTenancy, TenancyMetricsService } from 'nestjs-tenancy';
import { AdminTokenGuard } from '../admin/admin-token.guard';

/**
 * `GET /metrics`: Prometheus text of the tenancy metrics (404 unless TENANCY_ENABLE_METRICS is on),
 * behind the admin token like `/admin`: `tenancy_resolution_rejected_total{reason}` tells a
 * suspended tenant from an unknown one, which the uniform 404 hides from clients. Operator-only.
 */
@SkipTenancy()
@UseGuards(AdminTokenGuard)
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: TenancyMetricsService) {}

  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  async scrape(): Promise<string> {
    const exposition = await this.metrics.getPrometheusMetrics();
    if (!exposition) throw new NotFoundException('Metrics are off: set TENANCY_ENABLE_METRICS=true');
    return exposition.body;
  }
}
