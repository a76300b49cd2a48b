import type { ResolvedTenancyOptions } from 'nestjs-tenancy';
import { DEFAULT_ADMIN_TOKEN, type SampleSettings } from './sample.settings';

/** What to try once the sample listens: curl lines that match the active configuration. */
export function startBanner(
  url: string,
  options: ResolvedTenancyOptions,
  settings: SampleSettings,
  filled: string[],
): string {
  const port = new URL(url).port;
  // A real token never reaches logs: only the development default is printed as is.
  const token = settings.adminToken === DEFAULT_ADMIN_TOKEN ? DEFAULT_ADMIN_TOKEN : '$SAMPLE_ADMIN_TOKEN';
  const auth = `-H "Authorization: Bearer ${token}"`;
  const json = `-H 'Content-Type: application/json'`;
  const header = options.resolutionStrategy === 'header' ? options.tenantHeaderName : undefined;
  const subdomain =
    options.domainSuffix && ['header', 'subdomain'].includes(options.resolutionStrategy)
      ? options.domainSuffix
      : undefined;
  const as = (tenant: string) => (header ? `-H '${header}: ${tenant}'` : `-H 'Host: ${tenant}.${subdomain}:${port}'`);
  const lines = [
    '',
    `nestjs-tenancy sample listening on ${url}`,
    `  database ${redact(options.databaseUrl)} · isolation ${options.isolationStrategy} · resolution ${options.resolutionStrategy}${subdomain && header ? ' + subdomain' : ''}`,
    ...(filled.length ? [`  defaults used for ${filled.join(', ')}`] : []),
    '',
    'Try:',
    ...(header ? [`  curl ${as('acme')} ${url}/orders`] : []),
    ...(subdomain ? [`  curl -H 'Host: globex.${subdomain}:${port}' ${url}/orders`] : []),
    ...(subdomain === 'localhost'
      ? [`  curl http://acme.localhost:${port}/orders          # curl resolves *.localhost itself`]
      : []),
    ...(header || subdomain
      ? [
          `  curl ${as('acme')} ${json} -d '{"item":"Anvil","quantity":2,"customerEmail":"wile.e@acme.test"}' ${url}/orders`,
        ]
      : ['  (this resolution strategy needs requests the sample cannot show as one curl line)']),
    `  curl ${auth} ${url}/admin/tenants`,
    `  curl ${auth} ${json} -d '{"identifier":"initech","name":"Initech"}' ${url}/admin/tenants`,
    `  curl -X POST ${auth} ${url}/admin/tenants/globex/suspend`,
    ...(header || subdomain ? [`  curl ${as('globex')} ${url}/orders          # now 404 Tenant not found`] : []),
    `  curl -X POST ${auth} ${url}/admin/tenants/globex/activate`,
    `  curl ${url}/health`,
    ...(options.enableMetrics ? [`  curl ${auth} ${url}/metrics`] : []),
    `  curl ${auth} ${url}/admin/metrics`,
    '',
  ];
  return lines.join('\n') + '\n';
}

/** The URL without its password. */
function redact(databaseUrl: string): string {
  return databaseUrl.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
