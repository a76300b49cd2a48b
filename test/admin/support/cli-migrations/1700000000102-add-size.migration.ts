import type { MigrationInterface, QueryRunner } from 'typeorm';

// Fails in the schema named by CLI_TEST_FAIL_SCHEMA (the CLI suite's injected failure).
export class AddSize1700000000102 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    const [{ schema }] = (await q.query('SELECT current_schema() AS schema')) as Array<{ schema: string }>;
    if (schema === process.env.CLI_TEST_FAIL_SCHEMA) throw new Error(`AddSize refuses ${schema}`);
    await q.query('ALTER TABLE gadgets ADD COLUMN size int');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE gadgets DROP COLUMN size');
  }
}
