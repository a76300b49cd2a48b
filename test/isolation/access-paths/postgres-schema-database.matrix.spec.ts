import { ACCESS_PATHS } from './paths/access-paths.table';
import { runAccessPathMatrix } from './matrix.runner';
import { OPEN_CASES } from './open-cases.table';
import { POSTGRES_SCHEMA_DATABASE_TARGETS } from './targets.table';

// Every access path (paths/access-paths.table.ts) under every PostgreSQL schema and database target (targets.table.ts).
runAccessPathMatrix(POSTGRES_SCHEMA_DATABASE_TARGETS, ACCESS_PATHS, OPEN_CASES);
