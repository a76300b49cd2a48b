import { Column, Entity, PrimaryGeneratedColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import {
  TRUNCATE_GUARD_FUNCTION,
  truncateGuardStatements,
} from '../../../libs/tenancy/src/isolation/dialects/postgres-rls-hardening.ddl';
import { rlsStatements } from '../../../libs/tenancy/src/isolation/dialects/postgres-rls.ddl';
import { TenantScopedEntity } from '../../../libs/tenancy/src/isolation/tenant-scoped.entity';

@Entity('memos')
export class Memo extends TenantScopedEntity {
  @PrimaryGeneratedColumn() id!: number;
  @Column() body!: string;
}

const inPublic = async (q: QueryRunner) =>
  ((await q.query('SELECT current_schema() AS s')) as Array<{ s: string }>)[0].s === 'public';

/**
 * Creates `memos` with unqualified SQL (it lands in each schema tenant's schema, or in `public`
 * for the shared RLS tables); the RLS hardening only where it runs for the shared tables (a
 * hybrid app's schema tenants must not get policies on `app.current_tenant`).
 */
export class CreateMemos1700000000201 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE memos (id serial PRIMARY KEY, body varchar NOT NULL, tenant_id varchar(36))');
    if (!(await inPublic(q))) return;
    for (const sql of [
      ...rlsStatements({ schema: 'public', table: 'memos' }),
      TRUNCATE_GUARD_FUNCTION,
      ...truncateGuardStatements('memos'),
    ])
      await q.query(sql);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE memos');
  }
}

/** A second release: a column the entity does not map (harmless before and after). */
export class AddMemoColor1700000000202 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE memos ADD COLUMN color text');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE memos DROP COLUMN color');
  }
}
