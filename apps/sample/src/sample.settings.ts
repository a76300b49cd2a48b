import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

/** The sample's own settings (everything else is `TENANCY_*`, read by the library). */
export interface SampleSettings {
  /** `PORT`, default 3000 (0: any free port, shown in the start-up banner). */
  readonly port: number;
  /** `HOST`, default `127.0.0.1` (the default admin token is public: set HOST=0.0.0.0 deliberately). */
  readonly host: string;
  /** `SAMPLE_ADMIN_TOKEN`: the bearer token of `/admin`. */
  readonly adminToken: string;
  /** True when `SAMPLE_ADMIN_TOKEN` is unset and the well-known development token is in use. */
  readonly adminTokenIsDefault: boolean;
  /** `SAMPLE_DATA_DIR`, default `./data`: where the embedded SQLite files live. */
  readonly dataDir: string;
  /** `SAMPLE_DEMO_TENANTS`, default true: register `acme` and `globex` (with an order each) when absent. */
  readonly demoTenants: boolean;
}

/** Injection token of the `SampleSettings`. */
export const SAMPLE_SETTINGS = Symbol('SAMPLE_SETTINGS');
export const DEFAULT_ADMIN_TOKEN = 'dev-admin-token';

export function sampleSettings(env: NodeJS.ProcessEnv = process.env): SampleSettings {
  return {
    port: port(env.PORT),
    host: env.HOST || '127.0.0.1',
    adminToken: env.SAMPLE_ADMIN_TOKEN || DEFAULT_ADMIN_TOKEN,
    adminTokenIsDefault: !env.SAMPLE_ADMIN_TOKEN,
    dataDir: resolve(env.SAMPLE_DATA_DIR || 'data'),
    demoTenants: !/^(false|0|no|off)$/i.test(env.SAMPLE_DEMO_TENANTS ?? ''),
  };
}

function port(value: string | undefined): number {
  if (!value) return 3000;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`PORT must be a port number (got "${value}")`);
  return n;
}

/**
 * Fills the `TENANCY_*` variables the sample needs and the user left unset, so `npm start` runs
 * with no configuration: SQLite files under `SAMPLE_DATA_DIR`, subdomains of `localhost`, and
 * Prometheus metrics on. Returns the names it filled (the start-up banner shows them).
 */
export function applySampleDefaults(env: NodeJS.ProcessEnv = process.env): string[] {
  const filled: string[] = [];
  const fill = (name: string, value: () => string) => {
    if (env[name]) return;
    env[name] = value();
    filled.push(name);
  };
  const { dataDir } = sampleSettings(env);
  fill('TENANCY_DATABASE_URL', () => {
    mkdirSync(dataDir, { recursive: true });
    return `sqlite:${resolve(dataDir, 'tenancy.sqlite')}`;
  });
  // Database isolation on SQLite: one file per tenant beside the master file.
  if (env.TENANCY_DATABASE_URL?.startsWith('sqlite:'))
    fill('TENANCY_DATABASE_URL_TEMPLATE', () => `sqlite:${resolve(dataDir, '{database_name}.sqlite')}`);
  fill('TENANCY_DOMAIN_SUFFIX', () => 'localhost');
  fill('TENANCY_ENABLE_METRICS', () => 'true');
  return filled;
}
