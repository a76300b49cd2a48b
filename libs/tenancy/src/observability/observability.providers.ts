import type { Provider } from '@nestjs/common';
import { TenancyHealthIndicator } from './tenancy.health';
import { TenancyMetricsService } from './tenancy-metrics.service';

/** @internal Providers of the observability layer, for the core module (which exports them all). */
export const OBSERVABILITY_PROVIDERS: Provider[] = [TenancyMetricsService, TenancyHealthIndicator];
