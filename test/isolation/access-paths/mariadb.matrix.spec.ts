import { ACCESS_PATHS } from './paths/access-paths.table';
import { runAccessPathMatrix } from './matrix.runner';
import { OPEN_CASES } from './open-cases.table';
import { MARIADB_TARGETS } from './targets.table';

// Every access path (paths/access-paths.table.ts) under every MariaDB target (targets.table.ts).
runAccessPathMatrix(MARIADB_TARGETS, ACCESS_PATHS, OPEN_CASES);
