import { ACCESS_PATHS } from './paths/access-paths.table';
import { runAccessPathMatrix } from './matrix.runner';
import { OPEN_CASES } from './open-cases.table';
import { POSTGRES_PGBOUNCER_TARGETS } from './targets.table';

// Every access path (paths/access-paths.table.ts) through a real PgBouncer in transaction pooling,
// schema and RLS in transaction scope (targets.table.ts, issue 15).
runAccessPathMatrix(POSTGRES_PGBOUNCER_TARGETS, ACCESS_PATHS, OPEN_CASES);
