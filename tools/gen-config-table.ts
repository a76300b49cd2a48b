import { readFileSync } from 'node:fs';
import { ENV_OPTIONS, envName } from '../libs/tenancy/src/config/option-specs';
import { TENANCY_DEFAULTS } from '../libs/tenancy/src/config/tenancy.defaults';
const src = readFileSync('/work/main/libs/tenancy/src/config/tenancy-options.interface.ts', 'utf8');
const docs = new Map<string, string>();
const re = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*\n\s*(\w+)\??:/g;
let m;
while ((m = re.exec(src))) docs.set(m[2], m[1].replace(/\s*\*\s*/g, ' ').trim());
const rows = ['| option | variable | default | meaning |', '|---|---|---|---|'];
for (const o of Object.keys(ENV_OPTIONS)) {
  const d = (TENANCY_DEFAULTS as Record<string, unknown>)[o];
  const def = d === undefined ? '—' : Array.isArray(d) ? (d.length ? '`' + d.join(',') + '`' : '(empty)') : '`' + String(d) + '`';
  rows.push(`| \`${o}\` | \`${envName(o)}\` | ${def} | ${(docs.get(o) ?? '').replace(/\|/g, '\\|')} |`);
}
rows.push('| `resolvers` | — (code only) | `[]` | ' + (docs.get('resolvers') ?? '') + ' |');
rows.push('| `isGlobal` | — (code only) | `true` | ' + (docs.get('isGlobal') ?? '') + ' |');
console.log(rows.join('\n'));
