import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';

/** Where global setup records the servers it found, for every test file to read. */
// One file per Jest run (runs in parallel must not share an embedded server): global setup
// names it in TENANCY_TEST_SERVICES_FILE, which the test files of that run inherit.
const DEFAULT_FILE = join(__dirname, '..', '..', '.tmp', `test-services-${process.pid}.json`);
export const SERVICES_FILE = process.env.TENANCY_TEST_SERVICES_FILE ?? DEFAULT_FILE;

export interface TestServices {
  postgres?: string;
  mysql?: string;
  redis?: string;
  /** Why a server is missing, with the variable to set. */
  missing: Record<string, string>;
  embeddedPostgresPid?: number;
}

export const SERVICE_VARS = {
  postgres: 'TENANCY_TEST_POSTGRES_URL',
  mysql: 'TENANCY_TEST_MYSQL_URL',
  redis: 'TENANCY_TEST_REDIS_URL',
} as const;

export function readServices(): TestServices {
  if (!existsSync(SERVICES_FILE)) return { missing: {} };
  return JSON.parse(readFileSync(SERVICES_FILE, 'utf8')) as TestServices;
}

export function writeServices(services: TestServices): void {
  mkdirSync(join(SERVICES_FILE, '..'), { recursive: true });
  writeFileSync(SERVICES_FILE, JSON.stringify(services, null, 2));
}

/** True when something accepts TCP connections at host:port within `ms`. */
export function portOpen(host: string, port: number, ms = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(ms, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Starts test/support/embedded-postgres.mjs and resolves with its URL and pid. */
export function startEmbeddedPostgres(): Promise<{ url: string; pid: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'embedded-postgres.mjs')], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`embedded PostgreSQL did not start in 60 s: ${err}`)), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout.removeAllListeners('data');
        child.unref();
        (child.stdout as unknown as { unref?: () => void }).unref?.();
        (child.stderr as unknown as { unref?: () => void }).unref?.();
        resolve({ url: m[1], pid: child.pid! });
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`embedded PostgreSQL exited with ${code}: ${err}`));
    });
  });
}
