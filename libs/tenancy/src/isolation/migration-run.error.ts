import { TenancyError } from '../errors/tenancy.error';

/**
 * @internal A migration run that stopped at `migration`: each migration runs in its own
 * transaction, so `applied` (the ones before it) stay committed.
 */
export class MigrationRunError extends TenancyError {
  constructor(
    readonly applied: string[],
    readonly migration: string | undefined,
    readonly cause: unknown,
  ) {
    const why = cause instanceof Error ? cause.message : String(cause);
    const where = migration ? `migration ${migration} failed` : 'the migrations failed';
    const kept = applied.length ? `; committed before it: ${applied.join(', ')}` : '; nothing was committed';
    super(`${where}: ${why}${kept}`);
  }
}
