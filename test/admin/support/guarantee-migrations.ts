import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Creates `ledger` with raw, unqualified SQL. */
export class CreateLedger1700000000201 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE TABLE ledger (id serial PRIMARY KEY, note text NOT NULL)');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE ledger');
  }
}

/** A data migration: one seed row. Run twice, it leaves two. */
export class SeedLedger1700000000202 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query("INSERT INTO ledger (note) VALUES ('seed')");
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query("DELETE FROM ledger WHERE note = 'seed'");
  }
}

/** Adds a column (committed before the next one fails). */
export class AddAmount1700000000203 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE ledger ADD COLUMN amount int NOT NULL DEFAULT 0');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE ledger DROP COLUMN amount');
  }
}

/** Always fails. */
export class Breaks1700000000204 implements MigrationInterface {
  async up(): Promise<void> {
    throw new Error('Breaks refuses to run');
  }
  async down(): Promise<void> {}
}

/** Never reached when `Breaks` comes first. */
export class AddCurrency1700000000205 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query("ALTER TABLE ledger ADD COLUMN currency text NOT NULL DEFAULT 'EUR'");
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE ledger DROP COLUMN currency');
  }
}

/**
 * Holds registration at the `migrate` step while `Gate.closed`: `Gate.entered` resolves when a
 * tenant reaches it, and `Gate.open()` lets it through.
 */
export class Gate1700000000206 implements MigrationInterface {
  static closed = false;
  private static release: () => void = () => undefined;
  private static arrived: () => void = () => undefined;
  static entered = Promise.resolve();

  /** Closes the gate: the next tenant to migrate waits in it. */
  static close(): void {
    Gate1700000000206.closed = true;
    Gate1700000000206.entered = new Promise((r) => (Gate1700000000206.arrived = r));
  }
  static open(): void {
    Gate1700000000206.closed = false;
    Gate1700000000206.release();
  }
  async up(): Promise<void> {
    if (!Gate1700000000206.closed) return;
    const released = new Promise<void>((r) => (Gate1700000000206.release = r));
    Gate1700000000206.arrived();
    await released;
  }
  async down(): Promise<void> {}
}
