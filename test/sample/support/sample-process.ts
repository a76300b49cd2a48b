import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const READY = /listening on (http:\/\/localhost:(\d+))/;

/** How the process ended. */
export interface SampleExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** The sample app run as `npm start` runs it, in a child process. */
export interface SampleProcess {
  readonly url: string;
  readonly port: number;
  /** Everything it wrote so far (stdout and stderr, colours off). */
  output(): string;
  /**
   * SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended. A clean Nest shutdown
   * (`enableShutdownHooks`) closes the app and then re-raises the signal: `signal: 'SIGTERM'`.
   */
  stop(graceMs?: number): Promise<SampleExit>;
}

/**
 * Spawns `node -r ./tools/register.js apps/sample/src/main.ts` with exactly `env` (plus PATH
 * and HOME) in `cwd`, and resolves once the start-up banner names its URL. PORT defaults to 0
 * (any free port; the banner says which). Rejects with the output when it exits or times out.
 */
export function startSample(env: Record<string, string>, cwd = ROOT, timeoutMs = 90_000): Promise<SampleProcess> {
  const child = spawn(
    process.execPath,
    ['-r', join(ROOT, 'tools', 'register.js'), join(ROOT, 'apps', 'sample', 'src', 'main.ts')],
    {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<SampleExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => fail(`did not start in ${timeoutMs} ms`), timeoutMs);
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`sample app ${why}:\n${out}`));
    };
    const poll = setInterval(() => {
      const m = READY.exec(out);
      if (!m || settled) return;
      settled = true;
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ url: m[1], port: Number(m[2]), output: () => out, stop: (graceMs) => stop(child, exited, graceMs) });
    }, 50);
    void exited.then(({ code, signal }) => fail(`exited (code ${code}, signal ${signal})`));
  });
}

async function stop(child: ChildProcess, exited: Promise<SampleExit>, graceMs = 10_000): Promise<SampleExit> {
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}
