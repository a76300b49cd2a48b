import { ACCESS_PATHS } from './paths/access-paths.table';
import { runAccessPathMatrix } from './matrix.runner';
import { OPEN_CASES } from './open-cases.table';
import { POSTGRES_RLS_TARGETS } from './targets.table';

// Every access path (paths/access-paths.table.ts) under every PostgreSQL RLS (ordinary roles; one role, and owner + runtime) target (targets.table.ts).
runAccessPathMatrix(POSTGRES_RLS_TARGETS, ACCESS_PATHS, OPEN_CASES);
