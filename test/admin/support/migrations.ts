import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Creates `widgets` with raw, unqualified SQL: it must land in the tenant's schema. */
export class CreateWidgets1700000000001 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE widgets (id serial PRIMARY KEY, label text NOT NULL)');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE widgets');
  }
}

/** Always fails: the injected failure of the `migrate` provisioning step. */
export class Explodes1700000000002 implements MigrationInterface {
  async up(): Promise<void> {
    throw new Error('migration exploded');
  }
  async down(): Promise<void> {}
}

/**
 * Adds a column, except in the schema named by `AddColor.failIn` where it throws. It also
 * records how many tenants run it at once (`AddColor.peak`).
 */
export class AddColor1700000000003 implements MigrationInterface {
  static failIn = '';
  static running = 0;
  static peak = 0;
  async up(q: QueryRunner): Promise<void> {
    AddColor1700000000003.peak = Math.max(AddColor1700000000003.peak, ++AddColor1700000000003.running);
    try {
      const [{ schema }] = (await q.query('SELECT current_schema() AS schema')) as Array<{ schema: string }>;
      await new Promise((r) => setTimeout(r, 20));
      if (schema === AddColor1700000000003.failIn) throw new Error(`AddColor refuses ${schema}`);
      await q.query("ALTER TABLE widgets ADD COLUMN color text NOT NULL DEFAULT 'blue'");
    } finally {
      AddColor1700000000003.running--;
    }
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE widgets DROP COLUMN color');
  }
}
