import type { INestApplicationContext } from '@nestjs/common';
import type { ResolvedTenancyOptions } from '../config/tenancy-options.interface';
import { TenancyError } from '../errors/tenancy.error';
import { TENANCY_OPTIONS } from '../tenancy.constants';

/**
 * The headers that make `app` resolve `identifier`, for supertest or fetch:
 * `request(app.getHttpServer()).get('/orders').set(tenantHeaders(app, 'acme'))`.
 * Header resolution: the configured header; subdomain: `Host: <identifier>.<domainSuffix>`.
 * Path resolution needs no header (request `/t/acme/...`); JWT needs a signed token: both throw.
 */
export function tenantHeaders(app: INestApplicationContext, identifier: string): Record<string, string> {
  const options = app.get<ResolvedTenancyOptions>(TENANCY_OPTIONS, { strict: false });
  switch (options.resolutionStrategy) {
    case 'header':
      return { [options.tenantHeaderName]: identifier };
    case 'subdomain':
      return { host: `${identifier}.${options.domainSuffix}` };
    default:
      throw new TenancyError(
        `tenantHeaders: resolutionStrategy "${options.resolutionStrategy}" is not carried by a fixed header ` +
          '(path: request the tenant path prefix; jwt: send a signed token; custom: your resolver decides).',
      );
  }
}
