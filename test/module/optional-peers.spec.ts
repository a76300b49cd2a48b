import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const OPTIONAL = ['ioredis', '@nestjs/jwt', 'prom-client', '@nestjs/terminus', 'nest-commander', 'cli-progress'];

interface Outcome {
  status?: number;
  body?: unknown;
  error?: string;
}

/** Boots the child app with `hide` made unresolvable (as if not installed) and `options` added. */
async function boot(hide: string[], options: object = {}): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'tenancy-peers-'));
  try {
    const { stdout } = await run(
      process.execPath,
      [
        '-r',
        './test/module/optional-peers/hide-packages.js',
        '-r',
        './tools/register.js',
        './test/module/optional-peers/boot-app.ts',
      ],
      {
        cwd: ROOT,
        timeout: 60_000,
        env: {
          ...process.env,
          TENANCY_TEST_HIDE: hide.join(','),
          TENANCY_TEST_OPTIONS: JSON.stringify(options),
          TENANCY_TEST_SQLITE_FILE: join(dir, 'app.sqlite'),
        },
      },
    );
    return JSON.parse(stdout.trim().split('\n').pop()!) as Outcome;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Issue 16: optional peers are loaded only when their feature is configured. */
describe('optional peer packages', () => {
  it('the hiding preload really hides a package (the test can fail)', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '-r',
        './test/module/optional-peers/hide-packages.js',
        '-e',
        "try { require('ioredis'); console.log('found') } catch (e) { console.log(e.code) }",
      ],
      { cwd: ROOT, env: { ...process.env, TENANCY_TEST_HIDE: 'ioredis' } },
    );
    expect(stdout.trim()).toBe('MODULE_NOT_FOUND');
  });

  it('an app with none of the optional peers installed boots and serves a tenant', async () => {
    await expect(boot(OPTIONAL)).resolves.toEqual({ status: 200, body: { tenant: 'acme', notes: ['hello'] } });
  });

  it('a feature configured without its package stops start-up naming the package and the option', async () => {
    const redis = await boot(OPTIONAL, { redisUrl: 'redis://127.0.0.1:1', cacheEnabled: true });
    expect(redis.error).toMatch(/redisUrl \(TENANCY_REDIS_URL\) needs the optional package "ioredis".*npm i ioredis/);
    const jwt = await boot(OPTIONAL, { resolutionStrategy: 'jwt', jwtSecret: 's'.repeat(32) });
    expect(jwt.error).toMatch(
      /resolutionStrategy 'jwt' \(TENANCY_RESOLUTION_STRATEGY\) needs the optional package "@nestjs\/jwt"/,
    );
  });
});
