import { distance } from 'fastest-levenshtein';
import { TenancyConfigError } from '../errors/tenancy-config.error';
import { ENV_OPTIONS, EnvOption, envName, optionProblem } from './option-specs';
import type { TenancyModuleOptions } from './tenancy-options.interface';
import { resolveTenancyOptions } from './resolve-tenancy-options';
import type { ResolvedTenancyOptions } from './tenancy-options.interface';

/** Variables under this prefix belong to test harnesses, not to the library. */
const RESERVED_PREFIXES = ['TENANCY_TEST_'];
const BY_ENV = new Map(Object.keys(ENV_OPTIONS).map((o) => [envName(o), o as EnvOption]));
const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/**
 * Reads every `TENANCY_*` variable, applies defaults and validates. An empty variable counts as
 * unset (its default applies). Throws one `TenancyConfigError` listing every problem: unknown
 * variables, unparsable values and failed validation together.
 * @example TenancyModule.forRoot(loadTenancyConfig())
 */
export function loadTenancyConfig(env: NodeJS.ProcessEnv = process.env): ResolvedTenancyOptions {
  const problems: string[] = [];
  const raw: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('TENANCY_') || value === undefined) continue;
    if (RESERVED_PREFIXES.some((p) => name.startsWith(p))) continue;
    const option = BY_ENV.get(name);
    if (!option) {
      problems.push(`${name} is not a known variable${suggest(name)}`);
      continue;
    }
    const parsed = parseValue(ENV_OPTIONS[option], value.trim());
    if (parsed instanceof Error) problems.push(optionProblem(option, parsed.message));
    else if (parsed !== undefined) raw[option] = parsed;
  }
  return resolveReportingAll(raw as unknown as TenancyModuleOptions, problems);
}

/** Validates what did parse, so one bad variable does not hide the problems of the others. */
function resolveReportingAll(raw: TenancyModuleOptions, problems: string[]): ResolvedTenancyOptions {
  try {
    const resolved = resolveTenancyOptions(raw);
    if (!problems.length) return resolved;
  } catch (error) {
    if (!(error instanceof TenancyConfigError)) throw error;
    problems.push(...error.problems);
  }
  throw new TenancyConfigError(`Invalid tenancy configuration: ${problems.join('; ')}`, problems);
}

function parseValue(kind: string, value: string): unknown {
  if (value === '') return undefined;
  switch (kind) {
    case 'boolean': {
      const v = value.toLowerCase();
      if (TRUE.has(v)) return true;
      if (FALSE.has(v)) return false;
      return new Error('must be a boolean (true/false, 1/0, yes/no, on/off)');
    }
    case 'int':
      return /^-?\d+$/.test(value) ? Number(value) : new Error('must be a whole number');
    case 'list':
    case 'secretList':
      return value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    case 'secretJson':
      try {
        return JSON.parse(value) as unknown;
      } catch {
        return new Error('must be a JSON object'); // never the value: it may hold certificates or passwords
      }
    default:
      return value;
  }
}

function suggest(name: string): string {
  let best: string | undefined;
  let bestDistance = 4;
  for (const known of BY_ENV.keys()) {
    // Case-insensitive, so TENANCY_poolSize still points to TENANCY_POOL_SIZE.
    const d = distance(name.toUpperCase(), known);
    if (d < bestDistance) [best, bestDistance] = [known, d];
  }
  return best ? ` (did you mean ${best}?)` : ' (check the spelling against the README configuration table)';
}
