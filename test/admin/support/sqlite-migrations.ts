import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

const P = '__tenancy_schema__';

/** Creates the tenant's `notes` table, named with the placeholder (the tenant's prefix is substituted). */
export class CreateNotes1710000000001 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "${P}notes" (id integer PRIMARY KEY AUTOINCREMENT, body text NOT NULL)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "${P}notes"`);
  }
}

/** A data migration: one row in the tenant's `notes`. */
export class SeedNote1710000000002 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`INSERT INTO "${P}notes" (body) VALUES ('hello')`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM "${P}notes" WHERE body = 'hello'`);
  }
}

/** Unqualified raw SQL: creates `audit` in the shared file (refused). */
export class CreateAuditUnqualified1710000000003 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE audit (id integer PRIMARY KEY, what text)');
    await q.query("INSERT INTO audit (what) VALUES ('created')");
  }
  async down(): Promise<void> {}
}

/** Writes into a shared, unprefixed table that exists already (refused before it runs). */
export class WriteSharedAudit1710000000004 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query("INSERT INTO audit (what) VALUES ('leaked')");
  }
  async down(): Promise<void> {}
}

/** Creates another tenant's table through TypeORM's Table API (refused after it ran, then undone). */
export class CreateForeignTable1710000000005 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "${P}own" (id integer PRIMARY KEY)`);
    await q.createTable(
      new Table({ name: 't_other__stolen', columns: [{ name: 'id', type: 'integer', isPrimary: true }] }),
    );
  }
  async down(): Promise<void> {}
}

/** A data migration that takes a while (a window for a second instance): run twice, two rows. */
export class SlowSeedNote1710000000006 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await new Promise((r) => setTimeout(r, 300));
    await q.query(`INSERT INTO "${P}notes" (body) VALUES ('slow')`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM "${P}notes" WHERE body = 'slow'`);
  }
}
