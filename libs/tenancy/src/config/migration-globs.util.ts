import { createRequire } from 'node:module';
import { TenancyConfigError } from '../errors/tenancy-config.error';
import { optionProblem } from './option-specs';

type GlobSync = (pattern: string) => string[];

/**
 * The glob matcher TypeORM itself expands `migrations` paths with (tinyglobby, resolved from
 * TypeORM's own dependencies), so "matches no file" here means TypeORM would load nothing.
 */
function typeormGlob(): GlobSync {
  const fromTypeorm = createRequire(require.resolve('typeorm'));
  return (fromTypeorm('tinyglobby') as { globSync: GlobSync }).globSync;
}

/**
 * Start-up check (issue 12 item 7): every path in `migrations` must match at least one file,
 * or `migrate:status` would show nothing applied and `migrate:run` "nothing to do".
 * @throws TenancyConfigError naming the option and each pattern that matched nothing.
 */
export function assertMigrationGlobsMatch(migrations: readonly unknown[]): void {
  const patterns = migrations.filter((m): m is string => typeof m === 'string');
  if (patterns.length === 0) return;
  const globSync = typeormGlob();
  const empty = patterns.filter((p) => globSync(p.replace(/\\/g, '/')).length === 0);
  if (empty.length === 0) return;
  const problem = optionProblem(
    'migrations',
    `matches no file: ${empty.map((p) => `"${p}"`).join(', ')} (relative paths resolve from ${process.cwd()})`,
  );
  throw new TenancyConfigError(`Invalid tenancy configuration: ${problem}`, [problem]);
}
