// A child process serving one variant on a loopback port (see load.ts). Talks to the parent
// over IPC: `ready` once listening; answers `stats` (RSS, CPU, round trips, requests), `profile`
// (start the CPU profiler) and `stop`.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import type { VariantSpec } from './variants';

const spec = JSON.parse(process.env.BENCH_SPEC ?? '{}') as VariantSpec;
let queries = 0;

if (spec.countQueries) {
  // pg_stat_statements is not preloaded here: count round trips at the driver instead.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pg = require('pg') as { Client: { prototype: { query: (...args: unknown[]) => unknown } } };
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: unknown, ...args: unknown[]) {
    queries++;
    return original.apply(this, args);
  };
}

async function main(): Promise<void> {
  const { NestFactory } = await import('@nestjs/core');
  const { moduleFor } = await import('./variants');
  const module = moduleFor(spec);
  const logger = ['error', 'warn'] as const;
  let app;
  if (spec.adapter === 'fastify') {
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    app = await NestFactory.create(module, new FastifyAdapter(), { logger: [...logger] });
  } else {
    app = await NestFactory.create(module, { logger: [...logger] });
  }
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer() as import('node:http').Server;
  const { port } = server.address() as AddressInfo;
  let requests = 0;
  server.on('request', () => requests++);

  // --profile: the V8 CPU profiler (what --cpu-prof uses), started by the parent after the
  // warm-up, so the profile covers measured load only (no boot, no JIT warm-up).
  let profiler: { session: Session; file: string; fromRequest: number } | undefined;
  const saveProfile = async () => {
    if (!profiler) return;
    const { profile } = await profiler.session.post('Profiler.stop');
    writeFileSync(profiler.file, JSON.stringify(profile));
    writeFileSync(
      profiler.file.replace(/\.cpuprofile$/, '.json'),
      JSON.stringify({ requests: requests - profiler.fromRequest }),
    );
  };

  process.on('message', (msg: { id: number; cmd: 'stats' | 'stop' | 'profile'; gc?: boolean; file?: string }) => {
    const reply = (body: object) => process.send?.({ id: msg.id, ...body });
    if (msg.cmd === 'stats') {
      if (msg.gc) (globalThis as { gc?: () => void }).gc?.(); // --expose-gc: memory after a full GC
      const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
      const { user, system } = process.cpuUsage();
      reply({ rss, heapUsed, heapTotal, external, cpuMicros: user + system, queries, requests });
    } else if (msg.cmd === 'profile' && msg.file && !profiler) {
      const session = new Session();
      session.connect();
      profiler = { session, file: msg.file, fromRequest: requests };
      void session
        .post('Profiler.enable')
        .then(() => session.post('Profiler.setSamplingInterval', { interval: 250 }))
        .then(() => session.post('Profiler.start'))
        .then(() => reply({}));
    } else if (msg.cmd === 'stop') {
      void saveProfile()
        .then(() => app.close())
        .finally(() => {
          reply({});
          process.exit(0);
        });
    }
  });
  process.send?.({ id: 0, ready: true, port });
}

main().catch((error: unknown) => {
  process.send?.({ id: 0, error: error instanceof Error ? error.stack : String(error) });
  process.exit(1);
});
