import { Controller, Get, Injectable, Param, Res, StreamableFile } from '@nestjs/common';
import { AsyncResource } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Repository } from 'typeorm';
import { InjectTenantRepository, TenantContext, TenantContextMissingError, type Tenant } from 'nestjs-tenancy';
import { Order } from '../fixtures/orders.fixture';
import { describeWith, serviceUrl } from '../support';
import { sharedPool } from '../support/pool-inspection';
import { createPgSandbox, type PgSandbox } from './support/pg-sandbox';
import { bootSoakApp, type SoakApp, type SoakTenant } from './support/soak-app';

/** An app-wide event bus, as domain events often are. */
const bus = new EventEmitter();
/** [registered by, how, tenant seen when it ran]. */
const heard: Array<[string, string, string | null]> = [];

@Controller('ctx')
class ContextProbeController {
  constructor(
    private readonly context: TenantContext,
    @InjectTenantRepository(Order) private readonly orders: Repository<Order>,
  ) {}

  /** 16 chunks of 64 KiB (the socket pushes back), each read from the database after a timer. */
  @Get('stream')
  stream(): StreamableFile {
    const { context, orders } = this;
    async function* chunks() {
      for (let i = 0; i < 16; i++) {
        await sleep(Math.random() * 3);
        const labels = (await orders.find({ order: { id: 'ASC' } })).map((o) => o.label);
        const line = JSON.stringify({ i, tenant: context.tenantOrNull?.identifier ?? null, labels });
        yield `${line}${' '.repeat(65_536 - line.length - 1)}\n`;
      }
    }
    return new StreamableFile(Readable.from(chunks()), { type: 'application/x-ndjson' });
  }

  /** Registers listeners during the request; some fire in its own flow, some from elsewhere later. */
  @Get('listen')
  async listen(@Res({ passthrough: true }) res: { once(event: 'finish', fn: () => void): void }) {
    const me = this.context.tenant.identifier;
    const seen = () => this.context.tenantOrNull?.identifier ?? null;
    const local = new EventEmitter();
    local.once('step', () => heard.push([me, 'own flow, after a timer', seen()]));
    res.once('finish', () => heard.push([me, "the response's finish", seen()]));
    bus.once(
      `bound:${me}`,
      AsyncResource.bind(() => heard.push([me, 'bound, fired by another request', seen()])),
    );
    bus.once(`plain:${me}`, () => heard.push([me, 'unbound, fired by another request', seen()]));
    await sleep(2);
    local.emit('step');
    return { me };
  }

  @Get('fire/:target')
  fire(@Param('target') target: string) {
    bus.emit(`bound:${target}`);
    bus.emit(`plain:${target}`);
    return { by: this.context.tenant.identifier };
  }
}

/** Background work outside HTTP: what a cron job or queue consumer does. */
@Injectable()
class TenantJobs {
  constructor(
    readonly context: TenantContext,
    @InjectTenantRepository(Order) private readonly orders: Repository<Order>,
  ) {}

  /** One unit of work for `tenant`: timers and queries, then what it saw. */
  run(tenant: Tenant): Promise<{ tenant: string | null; labels: string[]; lateTimer: Promise<string | null> }> {
    return this.context.run(tenant, async () => {
      await sleep(Math.random() * 4);
      const labels = (await this.orders.find({ order: { id: 'ASC' } })).map((o) => o.label);
      await new Promise((r) => setImmediate(r));
      // a timer the job leaves behind fires after the job ended: it keeps the job's tenant
      const lateTimer = new Promise<string | null>((r) =>
        setTimeout(() => r(this.context.tenantOrNull?.identifier ?? null), 15),
      );
      return { tenant: this.context.tenantOrNull?.identifier ?? null, labels, lateTimer };
    });
  }

  /** Work that forgot `run()`: no tenant, and repositories refuse instead of guessing. */
  async unscoped(): Promise<{ tenant: string | null; error: unknown }> {
    const error = await Promise.resolve()
      .then(() => this.orders.find())
      .then(
        () => null,
        (e: unknown) => e,
      );
    return { tenant: this.context.tenantOrNull?.identifier ?? null, error };
  }
}

describeWith('postgres', 'tenant context survival in a real app', () => {
  let sandbox: PgSandbox;
  let soak: SoakApp;
  let url: string;
  const byStrategy = (s: string) => soak.tenants.filter((t) => t.strategy === s);
  const get = async (tenant: SoakTenant, path: string) => {
    const res = await fetch(`${url}${path}`, { headers: { 'X-Tenant-ID': tenant.identifier } });
    return { status: res.status, text: await res.text() };
  };

  beforeAll(async () => {
    sandbox = await createPgSandbox(serviceUrl('postgres'), 'ctx');
    // One pooled connection: a checkout waiting for it is handed over inside another request's release.
    soak = await bootSoakApp({
      sandbox,
      counts: { schema: 3, rls: 3, database: 2 },
      poolSize: 1,
      maxCachedDataSources: 4,
      controllers: [ContextProbeController],
      providers: [TenantJobs],
    });
    url = `http://127.0.0.1:${soak.port}`;
    for (const t of soak.tenants) await get(t, '/orders/whoami'); // tenants in L1
  }, 60_000);
  afterAll(async () => {
    await soak?.close();
    await sandbox?.drop();
  }, 60_000);

  it('StreamableFile: every chunk of concurrent streamed responses is read for its own tenant', async () => {
    const responses = await Promise.all(
      soak.tenants.flatMap((t) => [t, t]).map(async (t) => ({ t, res: await get(t, '/ctx/stream') })),
    );
    for (const { t, res } of responses) {
      expect(res.status).toBe(200);
      const lines = res.text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { i: number; tenant: string; labels: string[] });
      expect(lines.map((l) => l.i)).toEqual([...Array(16).keys()]);
      for (const line of lines)
        expect({ tenant: line.tenant, labels: line.labels }).toEqual({ tenant: t.identifier, labels: t.labels });
    }
  });

  it("listeners registered during a request: its own flow and its response keep its tenant; another request's emit needs AsyncResource.bind", async () => {
    heard.length = 0;
    const [a, b] = [byStrategy('rls')[0], byStrategy('schema')[0]];
    expect((await get(a, '/ctx/listen')).status).toBe(200);
    await sleep(20); // 'finish' fires after the body is written
    expect((await get(b, `/ctx/fire/${a.identifier}`)).status).toBe(200);
    expect(heard.sort()).toEqual(
      [
        [a.identifier, 'own flow, after a timer', a.identifier],
        [a.identifier, "the response's finish", a.identifier],
        [a.identifier, 'bound, fired by another request', a.identifier],
        // Node semantics, not the library's: a plain listener runs in the emitter's context.
        [a.identifier, 'unbound, fired by another request', b.identifier],
      ].sort(),
    );
  });

  it('TenantContext.run in a cron-like job (setInterval): overlapping ticks over all strategies each see their own tenant and rows', async () => {
    const jobs = soak.app.get(TenantJobs);
    const results: Array<
      Promise<{ expected: SoakTenant; outside: string | null; got: Awaited<ReturnType<TenantJobs['run']>> }>
    > = [];
    let tick = 0;
    await new Promise<void>((done) => {
      const timer = setInterval(() => {
        const expected = soak.tenants[tick % soak.tenants.length];
        const outside = jobs.context.tenantOrNull?.identifier ?? null;
        results.push(jobs.run(expected.tenant).then((got) => ({ expected, outside, got })));
        if (++tick === 60) {
          clearInterval(timer);
          done();
        }
      }, 2);
    });
    for (const { expected, outside, got } of await Promise.all(results)) {
      expect(outside).toBeNull();
      expect({ tenant: got.tenant, labels: got.labels, late: await got.lateTimer }).toEqual({
        tenant: expected.identifier,
        labels: expected.labels,
        late: expected.identifier,
      });
    }
  });

  it('two jobs back to back on one worker: the second never sees the first (and a job without run() sees nobody)', async () => {
    const jobs = soak.app.get(TenantJobs);
    const queue = [...soak.tenants, ...soak.tenants.slice().reverse()];
    for (let i = 0; i < queue.length; i++) {
      const got = await jobs.run(queue[i].tenant);
      expect({ tenant: got.tenant, labels: got.labels }).toEqual({
        tenant: queue[i].identifier,
        labels: queue[i].labels,
      });
      const between = await jobs.unscoped();
      expect(between.tenant).toBeNull();
      expect(between.error).toBeInstanceOf(TenantContextMissingError);
    }
  });

  it("pool callbacks run in another tenant's context, and it changes nothing: the waiting request still gets its own rows", async () => {
    const pool = sharedPool(soak.app) as unknown as EventEmitter;
    const context = soak.app.get(TenantContext);
    const acquired: Array<string | null> = [];
    const listener = () => acquired.push(context.tenantOrNull?.identifier ?? null);
    pool.on('acquire', listener);
    pool.on('connect', listener);
    try {
      for (const [holder, waiter] of [
        [byStrategy('rls')[0], byStrategy('rls')[1]],
        [byStrategy('schema')[0], byStrategy('rls')[2]],
        [byStrategy('rls')[1], byStrategy('schema')[1]],
      ]) {
        // The previous pair's connection may still be on its way back (a reset after raw SQL
        // runs on release): start only from an idle pool, or that release's hand-over is seen.
        await untilIdle(pool as unknown as { totalCount: number; idleCount: number });
        acquired.length = 0;
        // holder takes the only connection for 150 ms; waiter queues for it meanwhile
        const holding = get(holder, '/soak/sleep/150');
        await sleep(40);
        const waiting = get(waiter, '/orders/raw');
        const [h, w] = await Promise.all([holding, waiting]);
        expect(h.status).toBe(200);
        expect(JSON.parse(h.text).map((o: Order) => o.label)).toEqual(holder.labels);
        expect(w.status).toBe(200);
        expect(JSON.parse(w.text).map((o: { label: string }) => o.label)).toEqual(waiter.labels);
        // the waiter's checkout was handed over inside the holder's release: its callback saw the holder
        expect(acquired).toEqual([holder.identifier, holder.identifier]);
      }
    } finally {
      pool.off('acquire', listener);
      pool.off('connect', listener);
    }
  });
});

async function untilIdle(pool: { totalCount: number; idleCount: number }): Promise<void> {
  for (let i = 0; i < 200 && pool.idleCount !== pool.totalCount; i++) await sleep(10);
  expect(pool.idleCount).toBe(pool.totalCount);
}
