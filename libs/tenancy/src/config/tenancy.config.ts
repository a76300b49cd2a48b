import { registerAs } from '@nestjs/config';
import { loadTenancyConfig } from './load-tenancy-config';

/**
 * `@nestjs/config` namespace `tenancy`, read from `TENANCY_*`.
 * @example TenancyModule.forRootAsync(tenancyConfig.asProvider())
 */
export const tenancyConfig = registerAs('tenancy', () => loadTenancyConfig(process.env));
