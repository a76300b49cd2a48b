import { Controller, Get, Header, NotFoundException } from '@nestjs/common';
import { Registry } from 'prom-client';
import { SkipTenancy, TenancyMetricsService } from 'nestjs-tenancy';

/** `GET /metrics`: Prometheus text of the tenancy metrics (404 unless TENANCY_ENABLE_METRICS is on). */
@SkipTenancy()
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
