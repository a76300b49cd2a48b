import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { TenantContext } from '../context/tenant-context';

type JsonLogOptions = {
  context: string;
  logLevel: LogLevel;
  writeStreamType?: 'stdout' | 'stderr';
  errorStack?: unknown;
  params?: Record<string, unknown>;
};

/**
 * Nest's `ConsoleLogger` with the current tenant on every line logged inside a tenant scope:
 * `[OrdersService] [tenant=acme] Order 7 created` (JSON mode: a `tenant` field). Every
 * `new Logger(...)` of the app, the library's included, goes through it once installed.
 * Lines logged from database driver or pool callbacks may run in another request's async
 * context, so their tag is not authoritative.
 * @example
 * const app = await NestFactory.create(AppModule, { logger: new TenantLogger() });
 */
export class TenantLogger extends ConsoleLogger {
  private readonly tenants = new TenantContext();

  protected override formatContext(context: string): string {
    const identifier = this.tenantIdentifier();
    return super.formatContext(context) + (identifier ? `[tenant=${identifier}] ` : '');
  }

  protected override getJsonLogObject(
    message: unknown,
    options: JsonLogOptions,
  ): ReturnType<ConsoleLogger['getJsonLogObject']> {
    const object = super.getJsonLogObject(message, options);
    const identifier = this.tenantIdentifier();
    return identifier ? { ...object, tenant: identifier } : object;
  }

  /** The identifier of the tenant in scope, or `undefined`. */
  protected tenantIdentifier(): string | undefined {
    return this.tenants.tenantOrNull?.identifier;
  }
}
