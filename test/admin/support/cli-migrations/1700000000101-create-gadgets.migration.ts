import type { MigrationInterface, QueryRunner } from 'typeorm';

// Loaded by path through TENANCY_MIGRATIONS (the CLI suite): export migration classes only.
export class CreateGadgets1700000000101 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE gadgets (id serial PRIMARY KEY, label text NOT NULL)');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE gadgets');
  }
}
