import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Logger, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TenantLogger, tenancyConfig, type ResolvedTenancyOptions } from 'nestjs-tenancy';
import { AppModule } from './app.module';
import { SAMPLE_SETTINGS, applySampleDefaults, type SampleSettings } from './sample.settings';
import { startBanner } from './start-banner';

/** `npm start`: with no configuration, SQLite files under ./data and the demo tenants acme and globex. */
async function bootstrap(): Promise<void> {
  const filled = applySampleDefaults(process.env);
  // TenantLogger: every log line written inside a request carries [tenant=<identifier>].
  const app = await NestFactory.create(AppModule, { logger: new TenantLogger() });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.enableShutdownHooks();
  const settings = app.get<SampleSettings>(SAMPLE_SETTINGS);
  const logger = new Logger('Sample');
  if (settings.adminTokenIsDefault) {
    logger.warn(
      `SAMPLE_ADMIN_TOKEN is not set: /admin accepts the development token "${settings.adminToken}". Set your own before exposing this app.`,
    );
  }
  await app.listen(settings.port, settings.host);
  const { port } = app.getHttpServer().address() as AddressInfo;
  const url = `http://localhost:${port}`;
  process.stdout.write(startBanner(url, app.get<ResolvedTenancyOptions>(tenancyConfig.KEY), settings, filled));
}

bootstrap().catch((error: unknown) => {
  new Logger('Sample').error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
