import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeWith, usePostgresDatabase } from '../support';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
/** The core peers a user installs (README "Installation"), at the versions this repository uses. */
const CORE = [
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/platform-express',
  '@nestjs/config',
  'reflect-metadata',
  'rxjs',
  'typeorm',
  'pg',
];
const versionOf = (name: string) =>
  (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * Issue 16: the packed tarball, installed into a fresh folder with only the core peers (none of the
 * optional ones), boots a plain Nest app that serves two tenants; the package ships its own README.
 */
describeWith('postgres', 'the packed package in a fresh app', () => {
  const db = usePostgresDatabase();
  let dir: string;
  let tarball: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tenancy-fresh-app-'));
    await run('npm', ['run', 'pack:lib'], { cwd: ROOT, timeout: 240_000 });
    const name = readdirSync(join(ROOT, 'dist')).find((f) => /^nestjs-tenancy-.*\.tgz$/.test(f));
    tarball = join(ROOT, 'dist', name!);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fresh-app', version: '1.0.0', private: true }));
    await run(
      'npm',
      [
        'i',
        tarball,
        ...CORE.map((p) => `${p}@${versionOf(p)}`),
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
      ],
      { cwd: dir, timeout: 240_000 },
    );
    copyFileSync(join(__dirname, 'fresh-app.ts.txt'), join(dir, 'main.ts'));
    await run(
      process.execPath,
      [
        join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
        'main.ts',
        '--experimentalDecorators',
        '--emitDecoratorMetadata',
        '--target',
        'es2022',
        '--module',
        'nodenext',
        '--strict',
        '--skipLibCheck',
        '--types',
        'node',
        '--typeRoots',
        join(ROOT, 'node_modules', '@types'),
      ],
      { cwd: dir, timeout: 120_000 },
    );
  }, 600_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('installs without any optional peer (resolved from the app folder, as the app would)', async () => {
    const optional = ['ioredis', '@nestjs/jwt', 'prom-client', '@nestjs/terminus', 'nest-commander', 'mysql2'];
    const probe = `console.log(JSON.stringify(${JSON.stringify([...optional, 'pg'])}.filter((name) => {
      try { require.resolve(name); return true; } catch { return false; }
    })))`;
    const { stdout } = await run(process.execPath, ['-e', probe], { cwd: dir });
    expect(JSON.parse(stdout)).toEqual(['pg']);
  });

  it('boots and serves each tenant its own rows; no tenant, the uniform 404', async () => {
    const { stdout } = await run(process.execPath, ['main.js'], {
      cwd: dir,
      timeout: 120_000,
      env: { ...process.env, APP_DATABASE_URL: db.url },
    });
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual([
      { status: 200, body: { tenant: 'acme', notes: ['hello acme'] } },
      { status: 200, body: { tenant: 'globex', notes: ['hello globex'] } },
      { status: 200, body: { tenant: 'acme', notes: ['hello acme'] } },
      { status: 404 },
    ]);
  });

  it("ships the package's own README: install and quick start, none of the monorepo's commands", () => {
    const readme = readFileSync(join(dir, 'node_modules', 'nestjs-tenancy', 'README.md'), 'utf8');
    expect(readme).toContain('## Installation');
    expect(readme).toContain('## Quick start');
    expect(readme).toContain('## Configuration');
    for (const monorepo of ['npm ci', 'npm start', 'npm run', 'bench/', '## Development', '## The sample app'])
      expect(readme).not.toContain(monorepo);
  });
});
