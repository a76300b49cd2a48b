import { Logger } from '@nestjs/common';
import type { DataSource, Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM reports a failed migration with `console.log` (stdout) whatever `logging` says, which
 * corrupts JSON output of the CLI. The failure itself is thrown and reported per tenant, so its
 * log line goes to the Nest logger at `debug` level instead; TypeORM warnings stay warnings.
 */
class MigrationLogger implements TypeOrmLogger {
  private readonly logger = new Logger('TenantMigrations');

  logQuery(): void {}
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}

  logMigration(message: string): void {
    this.logger.debug(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
  }
}

const migrationLogger = new MigrationLogger();

/** @internal Gives a DataSource made only to run migrations the logger above (it must be its own, not a shared one). */
export function withMigrationLogger(dataSource: DataSource): DataSource {
  return Object.assign(dataSource, { logger: migrationLogger });
}
