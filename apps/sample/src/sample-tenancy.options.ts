import { SubdomainResolver, type ResolvedTenancyOptions, type TenancyModuleOptions } from 'nestjs-tenancy';
import { Customer } from './orders/customer.entity';
import { Order } from './orders/order.entity';

/** The sample's tenant entities. */
export const SAMPLE_ENTITIES = [Order, Customer];

/**
 * The module options of the sample: what `TENANCY_*` configured, plus its entities. With the
 * header strategy and a `domainSuffix`, a subdomain resolver is tried first, so both
 * `X-Tenant-ID: acme` and `Host: acme.localhost` work. (Never in front of `jwt`: there the
 * signed claim must be the only source.)
 */
export function sampleTenancyOptions(config: ResolvedTenancyOptions): TenancyModuleOptions {
  const subdomains = config.resolutionStrategy === 'header' && config.domainSuffix;
  return {
    ...config,
    entities: SAMPLE_ENTITIES,
    resolvers: [...(subdomains ? [new SubdomainResolver(config)] : []), ...config.resolvers],
  };
}
