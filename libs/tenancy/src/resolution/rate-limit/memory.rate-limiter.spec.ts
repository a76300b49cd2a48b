import { MemoryRateLimiter } from './memory.rate-limiter';

describe('MemoryRateLimiter', () => {
  let clock = 1_000_000;
  const limiter = () =>
    new MemoryRateLimiter({ rateLimitMaxRequests: 3, rateLimitWindowSeconds: 10 }, 100, () => clock);

  beforeEach(() => (clock = 1_000_000));

  it('lets exactly max requests pass per window, then refuses with Retry-After', async () => {
    const l = limiter();
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await l.consume('t1'));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0]);
    expect(results[3].retryAfterSeconds).toBe(10);
    clock += 4_500;
    expect(l.consumeNow('t1')).toMatchObject({ allowed: false, retryAfterSeconds: 6 });
  });

  it('opens a new window once the old one ends', () => {
    const l = limiter();
    for (let i = 0; i < 3; i++) l.consumeNow('t1');
    expect(l.consumeNow('t1').allowed).toBe(false);
    clock += 10_000;
    expect(l.consumeNow('t1')).toMatchObject({ allowed: true, remaining: 2 });
  });

  it('counts each key on its own', () => {
    const l = limiter();
    for (let i = 0; i < 3; i++) l.consumeNow('t1');
    expect(l.consumeNow('t1').allowed).toBe(false);
    expect(l.consumeNow('t2').allowed).toBe(true);
  });

  it('bounds memory: the least recently used key is forgotten', () => {
    const l = new MemoryRateLimiter({ rateLimitMaxRequests: 1, rateLimitWindowSeconds: 60 }, 2, () => clock);
    l.consumeNow('a');
    l.consumeNow('b');
    l.consumeNow('c'); // evicts a
    expect(l.consumeNow('a').allowed).toBe(true);
    expect(l.consumeNow('c').allowed).toBe(false);
  });

  it('never answers Retry-After below 1 second', () => {
    const l = limiter();
    for (let i = 0; i < 3; i++) l.consumeNow('t1');
    clock += 9_999;
    expect(l.consumeNow('t1').retryAfterSeconds).toBe(1);
  });
});
