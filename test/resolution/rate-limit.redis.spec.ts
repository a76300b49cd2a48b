import { INestApplication, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import request from 'supertest';
import { createRateLimiter } from '../../libs/tenancy/src/resolution/rate-limit/create-rate-limiter';
import { MemoryRateLimiter } from '../../libs/tenancy/src/resolution/rate-limit/memory.rate-limiter';
import {
  RATE_LIMIT_KEY_PREFIX,
  RedisRateLimiter,
} from '../../libs/tenancy/src/resolution/rate-limit/redis.rate-limiter';
import { describeWith, useRedisNamespace } from '../support';
import { createTenancyTestApp, seededStore } from './support/tenancy-test-app';

const limits = (max: number, windowSeconds = 30) => ({
  rateLimitMaxRequests: max,
  rateLimitWindowSeconds: windowSeconds,
});

describeWith('redis', 'RedisRateLimiter against a real Redis', () => {
  const ns = useRedisNamespace();
  const clients: Redis[] = [];
  const client = () => {
    const c = new Redis(ns.url, { enableOfflineQueue: true, maxRetriesPerRequest: 1 });
    clients.push(c);
    return c;
  };
  const ready = async (c: Redis) => (c.status === 'ready' ? undefined : new Promise((r) => c.once('ready', r)));
  const limiter = async (max: number, windowSeconds = 30) => {
    const c = client();
    await ready(c);
    return new RedisRateLimiter(c, limits(max, windowSeconds), { keyPrefix: `${ns.prefix}rl:` });
  };
  afterAll(() => Promise.all(clients.map((c) => c.quit())));

  it('lets exactly max requests through per window; max+1 is refused with Retry-After', async () => {
    const l = await limiter(5, 10);
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await l.consume('t-boundary'));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, true, true, false]);
    expect(results[4].remaining).toBe(0);
    expect(results[5].retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(results[5].retryAfterSeconds).toBeLessThanOrEqual(10);
  });

  it('two instances sharing Redis share the count', async () => {
    const [a, b] = [await limiter(5), await limiter(5)];
    for (let i = 0; i < 3; i++) expect((await a.consume('t-shared')).allowed).toBe(true);
    for (let i = 0; i < 2; i++) expect((await b.consume('t-shared')).allowed).toBe(true);
    expect((await b.consume('t-shared')).allowed).toBe(false);
    expect((await a.consume('t-shared')).allowed).toBe(false);
  });

  it('is atomic: 60 concurrent requests over two instances, exactly max pass', async () => {
    const [a, b] = [await limiter(20), await limiter(20)];
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).consume('t-race')));
    expect(results.filter((r) => r.allowed)).toHaveLength(20);
  });

  it('opens a new window when the old one expires', async () => {
    const l = await limiter(1, 1);
    expect((await l.consume('t-expiry')).allowed).toBe(true);
    expect((await l.consume('t-expiry')).allowed).toBe(false);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await l.consume('t-expiry')).allowed).toBe(true);
  });

  it('keys live under tenancy:rl: by default, with an expiry', async () => {
    const c = client();
    await ready(c);
    const key = `${ns.prefix}default-ns`;
    try {
      await new RedisRateLimiter(c, limits(3)).consume(key);
      const ttl = await c.pttl(`${RATE_LIMIT_KEY_PREFIX}${key}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(30_000);
    } finally {
      await c.del(`${RATE_LIMIT_KEY_PREFIX}${key}`);
    }
  });

  it('createRateLimiter: Redis with redisUrl, memory without, null when off', async () => {
    const shared = createRateLimiter({ databaseUrl: 'x', enableRateLimiting: true, redisUrl: ns.url, ...limits(2) });
    expect(shared).toBeInstanceOf(RedisRateLimiter);
    await shared!.close!();
    expect(createRateLimiter({ databaseUrl: 'x', enableRateLimiting: true })).toBeInstanceOf(MemoryRateLimiter);
    expect(createRateLimiter({ databaseUrl: 'x', enableRateLimiting: false, redisUrl: ns.url })).toBeNull();
  });

  describe('when Redis fails', () => {
    let warn: jest.SpyInstance;
    beforeEach(() => (warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined)));
    afterEach(() => warn.mockRestore());

    it('falls back to memory (still exactly max) with one warning when Redis is unreachable', async () => {
      const limiter = createRateLimiter({
        databaseUrl: 'x',
        enableRateLimiting: true,
        redisUrl: 'redis://127.0.0.1:1',
        ...limits(3),
      })!;
      try {
        const results = [];
        for (let i = 0; i < 4; i++) results.push(await limiter.consume('t-down'));
        expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
        expect(warn).toHaveBeenCalledTimes(1);
        expect(String(warn.mock.calls[0][0])).toContain('Redis rate limiting unavailable');
      } finally {
        await limiter.close!();
      }
    });

    it('falls back when a command fails, and returns to Redis once it answers', async () => {
      const c = client();
      await ready(c);
      const l = new RedisRateLimiter(c, limits(2), { keyPrefix: `${ns.prefix}flaky:` });
      const evalSpy = jest
        .spyOn(c, 'eval')
        .mockRejectedValueOnce(new Error('READONLY You cannot write against a read only replica'));
      expect((await l.consume('t-flaky')).allowed).toBe(true); // memory
      expect(warn).toHaveBeenCalledTimes(1);
      expect((await l.consume('t-flaky')).allowed).toBe(true); // Redis again (count 1 there)
      expect(evalSpy).toHaveBeenCalledTimes(2);
      expect(await c.get(`${ns.prefix}flaky:t-flaky`)).toBe('1');
      evalSpy.mockRestore();
    });
  });

  describe('two apps (Express and Fastify) sharing Redis', () => {
    const apps: INestApplication[] = [];
    let tenantId = '';
    afterAll(async () => {
      await Promise.all(apps.map((a) => a.close()));
      const c = client();
      await c.del(`${RATE_LIMIT_KEY_PREFIX}${tenantId}`);
    });

    it('share one limit from the first request: max passes across both, then 429 with Retry-After on either', async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn');
      const store = await seededStore();
      tenantId = (await store.getByIdentifier('acme')).id; // a fresh uuid: a key no other run uses
      const options = {
        enableRateLimiting: true,
        rateLimitMaxRequests: 4,
        rateLimitWindowSeconds: 60,
        redisUrl: ns.url,
      };
      for (const adapter of ['express', 'fastify'] as const) {
        const app = await createTenancyTestApp(adapter, options, store);
        await app.listen(0, '127.0.0.1');
        apps.push(app);
      }
      const urls = await Promise.all(apps.map((a) => a.getUrl()));
      const hit = (i: number) =>
        request(urls[i % 2])
          .get('/whoami')
          .set('X-Tenant-ID', 'acme');
      for (let i = 0; i < 4; i++) await hit(i).expect(200);
      for (const i of [0, 1]) {
        const res = await hit(i).expect(429);
        expect(res.body).toEqual({ statusCode: 429, message: 'Too Many Requests' });
        expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
      }
      expect(warn).not.toHaveBeenCalled(); // start-up waited for Redis: no fallback
      warn.mockRestore();
    });
  });
});
