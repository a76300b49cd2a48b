import { Controller, Get, type INestApplication, type LoggerService, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import { TenancyModule } from 'nestjs-tenancy';

/** Records every log line with its context. */
class CapturingLogger implements LoggerService {
  readonly lines: Array<{ level: string; message: string; context?: string }> = [];
  log(message: unknown, context?: string) {
    this.lines.push({ level: 'log', message: String(message), context });
  }
  warn(message: unknown, context?: string) {
    this.lines.push({ level: 'warn', message: String(message), context });
  }
  error(message: unknown, context?: string) {
    this.lines.push({ level: 'error', message: String(message), context });
  }
  debug() {}
  verbose() {}
}

@Controller()
class RootController {
  @Get() hello() {
    return 'hello';
  }
}

/**
 * Issue 16: the global guard 404s every route of a fresh app (`GET /`, health). It stays
 * fail-closed, but says so once at start-up, naming `@SkipTenancy()`.
 */
describe('global guard: one start-up line naming @SkipTenancy()', () => {
  const apps: INestApplication[] = [];
  afterEach(async () => {
    while (apps.length) await apps.pop()!.close();
  });

  async function boot(mountGuard?: boolean): Promise<{ app: INestApplication; logger: CapturingLogger }> {
    @Module({
      imports: [
        TenancyModule.forRoot({ databaseUrl: 'sqlite::memory:', store: 'memory', cacheEnabled: false, mountGuard }),
      ],
      controllers: [RootController],
    })
    class AppModule {}
    const logger = new CapturingLogger();
    const app = await NestFactory.create(AppModule, { logger });
    apps.push(app);
    await app.init();
    return { app, logger };
  }

  const notices = (logger: CapturingLogger) => logger.lines.filter((l) => l.message.includes('@SkipTenancy()'));

  it('logs exactly one line per app boot, and the route stays refused', async () => {
    const first = await boot();
    expect(notices(first.logger)).toHaveLength(1);
    expect(notices(first.logger)[0].message).toMatch(/404/);
    expect(notices(first.logger)[0].message.split('\n')).toHaveLength(1);
    await request(first.app.getHttpServer()).get('/').expect(404);

    const second = await boot();
    expect(notices(second.logger)).toHaveLength(1);
    expect(notices(first.logger)).toHaveLength(1); // the first app's count did not move
  });

  it('says nothing when the guard is not mounted (mountGuard: false)', async () => {
    const { app, logger } = await boot(false);
    expect(notices(logger)).toHaveLength(0);
    await request(app.getHttpServer()).get('/').expect(200);
  });
});
