import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedPort } from './tcp-relay';
import { describeWith, serviceUrl } from './harness';
import { portOpen } from './services';

/** The PgBouncer binary (Debian's `pgbouncer` package, installed by `.ci/run`), or undefined. */
export function pgBouncerBinary(): string | undefined {
  for (const candidate of ['/usr/sbin/pgbouncer', 'pgbouncer']) {
    const found = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
    if (found.status === 0) return candidate;
  }
  return undefined;
}

/** A PgBouncer in transaction pooling mode in front of one PostgreSQL server, for one test file. */
export interface PgBouncer {
  readonly port: number;
  /** `url` with its host and port replaced by PgBouncer's (same user, password and database). */
  through(url: string): string;
  /** Lets `users` log in (PgBouncer trust auth still needs each name in its auth file). */
  allow(...users: string[]): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts PgBouncer as a child process on a free port with a generated ini: `pool_mode =
 * transaction`, `auth_type = trust` (the local test server trusts 127.0.0.1), every database
 * forwarded to the test PostgreSQL. The startup option `options` (the library's empty
 * search_path) is ignored, as a production PgBouncer must be told to do (README, "Operating the
 * connection layer"). Runs as the `postgres` user when started as root (PgBouncer refuses root).
 */
export async function startPgBouncer(serverUrl: string, poolSize = 4): Promise<PgBouncer> {
  const binary = pgBouncerBinary();
  if (!binary) throw new Error('pgbouncer is not installed (apt-get install -y pgbouncer; .ci/run does it)');
  const server = new URL(serverUrl);
  const dir = mkdtempSync(join(tmpdir(), 'tenancy-pgbouncer-'));
  chmodSync(dir, 0o755);
  const users = new Set([decodeURIComponent(server.username) || 'postgres']);
  const authFile = join(dir, 'users.txt');
  const writeUsers = () => {
    writeFileSync(authFile, [...users].map((u) => `"${u}" ""`).join('\n') + '\n', { mode: 0o644 });
  };
  writeUsers();
  const port = await closedPort();
  const ini = join(dir, 'pgbouncer.ini');
  writeFileSync(
    ini,
    [
      '[databases]',
      `* = host=${server.hostname} port=${server.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${authFile}`,
      'pool_mode = transaction',
      `default_pool_size = ${poolSize}`,
      'max_client_conn = 500',
      'ignore_startup_parameters = extra_float_digits, options',
      'server_reset_query =',
      'log_connections = 0',
      'log_disconnections = 0',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  const asRoot = process.getuid?.() === 0;
  const child = spawn(binary, [...(asRoot ? ['-u', 'postgres'] : []), ini], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  await waitListening(child, port, () => stderr);
  return {
    port,
    through: (url) => {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    allow: async (...names) => {
      names.forEach((n) => users.add(n));
      writeUsers();
      child.kill('SIGHUP'); // PgBouncer rereads its ini and auth file
      await new Promise((r) => setTimeout(r, 200));
    },
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitListening(child: ChildProcess, port: number, stderr: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`pgbouncer exited with ${child.exitCode}: ${stderr()}`);
    if (await portOpen('127.0.0.1', port, 200)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`pgbouncer did not listen on ${port} within 5 s: ${stderr()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGINT'); // safe shutdown: closes every server connection
  });
}

/**
 * `describe` over the test PostgreSQL and a PgBouncer: skipped loudly without the `pgbouncer`
 * binary, except under CI=true, where its absence fails the run (`.ci/run` installs it).
 */
export function describeWithPgBouncer(name: string, fn: () => void): void {
  if (pgBouncerBinary()) return describeWith('postgres', name, fn);
  const why = 'pgbouncer is not installed (apt-get install -y pgbouncer; .ci/run installs it)';
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs pgbouncer', () => {
        throw new Error(`pgbouncer is required under CI=true: ${why}`);
      });
    });
    return;
  }
  process.stderr.write(`\n!!! SKIPPED "${name}": ${why}\n`);
  const skip = describe.skip;
  skip(name, fn);
}

/** A PgBouncer in front of the test PostgreSQL for this file: started in beforeAll, stopped in afterAll. */
export function usePgBouncer(poolSize = 4): () => PgBouncer {
  let bouncer: PgBouncer | undefined;
  beforeAll(async () => {
    bouncer = await startPgBouncer(serviceUrl('postgres'), poolSize);
  });
  afterAll(async () => bouncer?.stop());
  return () => {
    if (!bouncer) throw new Error('PgBouncer not started');
    return bouncer;
  };
}
