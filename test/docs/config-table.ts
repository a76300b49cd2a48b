import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENV_OPTIONS, envName } from '../../libs/tenancy/src/config/option-specs';
import { TENANCY_DEFAULTS } from '../../libs/tenancy/src/config/tenancy.defaults';

const OPTIONS_FILE = join(__dirname, '..', '..', 'libs', 'tenancy', 'src', 'config', 'tenancy-options.interface.ts');

/** The README's configuration table: every option, its variable, default and JSDoc. */
export function renderConfigTable(): string {
  const docs = optionDocs();
  const rows = ['| option | variable | default | meaning |', '|---|---|---|---|'];
  for (const option of Object.keys(ENV_OPTIONS)) {
    rows.push(`| \`${option}\` | \`${envName(option)}\` | ${defaultOf(option)} | ${docs.get(option) ?? ''} |`);
  }
  rows.push(`| \`resolvers\` | — (code only) | (empty) | ${docs.get('resolvers') ?? ''} |`);
  rows.push(`| \`isGlobal\` | — (code only) | \`true\` | ${docs.get('isGlobal') ?? ''} |`);
  return rows.join('\n');
}

function defaultOf(option: string): string {
  const value = (TENANCY_DEFAULTS as Record<string, unknown>)[option];
  if (value === undefined) return '—';
  if (Array.isArray(value)) return value.length ? `\`${value.join(',')}\`` : '(empty)';
  return `\`${String(value)}\``;
}

function optionDocs(): Map<string, string> {
  const source = readFileSync(OPTIONS_FILE, 'utf8');
  const docs = new Map<string, string>();
  for (const m of source.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*\n\s*(\w+)\??:/g)) {
    docs.set(
      m[2],
      m[1]
        .replace(/\s*\*\s*/g, ' ')
        .trim()
        .replace(/\|/g, '\\|'),
    );
  }
  return docs;
}
