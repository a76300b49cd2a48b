import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { renderConfigTable } from './config-table';

const ROOT = join(__dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The README is part of the product: its TypeScript compiles and its option table is current. */
describe('README', () => {
  it('shows the two commands a new user runs', () => {
    expect(README).toContain('npm ci && npm start');
    expect(README).toContain('npm test');
  });

  it('documents every option with its variable and default (generated table is current)', () => {
    const table = /<!-- config-table:start[^>]*-->\n([\s\S]*?)\n<!-- config-table:end -->/.exec(README)?.[1];
    expect(table).toBe(renderConfigTable());
  });

  it('every ts code block compiles against the library', () => {
    const blocks = [...README.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    const dir = join(ROOT, '.tmp', 'readme-blocks');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const files = blocks.map((code, i) => {
      const file = join(dir, `block-${i}.ts`);
      // Blocks refer to each other's files (./order.entity, ./orders.module): give them stand-ins.
      writeFileSync(file, code);
      return file;
    });
    writeFileSync(join(dir, 'order.entity.ts'), blocks.find((b) => b.includes('class Order extends')) ?? '');
    writeFileSync(join(dir, 'orders.module.ts'), blocks.find((b) => b.includes('class OrdersModule')) ?? '');
    const config = ts.getParsedCommandLineOfConfigFile(
      join(ROOT, 'tsconfig.json'),
      {},
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
    );
    const program = ts.createProgram(files, { ...config!.options, noEmit: true });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n') + ` (${d.file?.fileName.split('/').pop()})`);
    expect(diagnostics).toEqual([]);
  }, 120_000);
});
