import type { AccessPath } from '../matrix.types';
import { ATTACK_PATHS } from './attack.paths';
import { ORM_READ_PATHS } from './orm-read.paths';
import { ORM_WRITE_PATHS } from './orm-write.paths';
import { RELATION_AND_ACTIVE_RECORD_WRITE_PATHS } from './relation-write.paths';
import { RAW_READ_PATHS } from './raw-read.paths';
import { RAW_WRITE_PATHS } from './raw-write.paths';
import { HAZARD_PATHS, TRANSACTION_PATHS } from './transaction.paths';

/** Every way TypeORM reaches data, in the order the matrix runs them (reads first; last, the paths whose failure can leave connection state behind). */
export const ACCESS_PATHS: readonly AccessPath[] = [
  ...ORM_READ_PATHS,
  ...RAW_READ_PATHS,
  ...ORM_WRITE_PATHS,
  ...RELATION_AND_ACTIVE_RECORD_WRITE_PATHS,
  ...TRANSACTION_PATHS,
  ...RAW_WRITE_PATHS,
  ...ATTACK_PATHS,
  ...HAZARD_PATHS,
];
