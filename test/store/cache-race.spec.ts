import { Redis } from 'ioredis';
import { CachedTenantStore, TypeOrmTenantStore } from 'nestjs-tenancy/store';
import { describeWith, usePostgresDatabase, useRedisNamespace } from '../support';
import { l2Status } from '../support/l2-entry';
import { TcpRelay } from '../support/tcp-relay';

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error('condition never held');
}

/**
 * Issue 18 item 4: an L2 write from a store read that began before a suspension must never bring
 * the old state back, even when it lands after the suspension's delete and before the message.
 */
describeWith('postgres', 'write-after-invalidate race (two instances, relays hold the replies)', () => {
  const db = usePostgresDatabase();
  const ns = useRedisNamespace();
  const closers: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  it("B's store read from before A's suspension does not put `active` back into L2", async () => {
    const pgRelay = await TcpRelay.to(db.url, 5432).start();
    const redisRelay = await TcpRelay.to(ns.url, 6379).start();
    closers.push(
      () => pgRelay.close(),
      () => redisRelay.close(),
    );
    const options = { namespace: ns.prefix, ttlSeconds: 60, closeInner: true };
    const a = new CachedTenantStore(await TypeOrmTenantStore.open(db.url), { ...options, redisUrl: ns.url });
    const b = new CachedTenantStore(await TypeOrmTenantStore.open(pgRelay.url(db.url)), {
      ...options,
      redisUrl: redisRelay.url(ns.url),
    });
    closers.push(
      () => a.close(),
      () => b.close(),
    );
    await a.connect();
    await b.connect();
    const racer = await a.create({ identifier: 'racer', name: 'Racer', isolationStrategy: 'schema' });
    const other = await a.create({ identifier: 'bystander', name: 'Bystander', isolationStrategy: 'schema' });

    pgRelay.hold();
    const stale = b.getByIdentifier('racer'); // L1 and L2 miss: reads the store...
    await until(() => pgRelay.heldBytes > 0); // ...which has answered `active`; the answer is held
    redisRelay.hold(); // B will hear of the suspension only after it has written L2
    await a.setStatus(racer.id, 'suspended');
    pgRelay.release();
    expect((await stale).status).toBe('active'); // read before the suspension: fine to answer
    await new Promise((r) => setImmediate(r));
    redisRelay.release();
    await b.update(other.id, { name: 'Bystander 2' }); // B's Redis connection is FIFO: its L2 write is done

    expect((await a.getByIdentifier('racer')).status).toBe('suspended');
    expect((await b.getByIdentifier('racer')).status).toBe('suspended');
    const redis = new Redis(ns.url);
    closers.push(() => redis.quit());
    expect([null, 'suspended']).toContain(await l2Status(redis, ns.prefix, 'racer'));
  });
});
