import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { TenancyScope } from './tenancy-scope';
import { TenancyScopeMiddleware } from './tenancy-scope.middleware';
import { currentScope } from './tenant-context';

/** Runs the middleware on a fake response; resolves with the scope `next` saw. */
function enter(res: EventEmitter): Promise<TenancyScope> {
  return new Promise((resolve) => new TenancyScopeMiddleware().use({}, res, () => resolve(currentScope()!)));
}

describe('TenancyScopeMiddleware', () => {
  it('calls next inside a fresh scope with no tenant yet, one per request', async () => {
    const [a, b] = await Promise.all([enter(new EventEmitter()), enter(new EventEmitter())]);
    expect(a).toBeInstanceOf(TenancyScope);
    expect(a.tenant).toBeNull();
    expect(b).not.toBe(a);
    expect(currentScope()).toBeUndefined();
  });

  it('keeps the scope for async work started by the handler', async () => {
    const res = new EventEmitter();
    let later: TenancyScope | undefined;
    const scope = await new Promise<TenancyScope>((resolve) =>
      new TenancyScopeMiddleware().use({}, res, () => {
        void sleep(2).then(() => (later = currentScope()));
        resolve(currentScope()!);
      }),
    );
    await sleep(5);
    expect(later).toBe(scope);
  });

  it.each(['finish', 'close'])("closes the scope on the response's %s event", async (event) => {
    const res = new EventEmitter();
    const scope = await enter(res);
    const cleanup = jest.fn();
    scope.onClose(cleanup);
    expect(scope.isClosed).toBe(false);
    res.emit(event);
    await sleep(0);
    expect(scope.isClosed).toBe(true);
    expect(cleanup).toHaveBeenCalledTimes(1);
  });

  it('runs cleanups once when both finish and close fire, and leaves no listener behind', async () => {
    const res = new EventEmitter();
    const scope = await enter(res);
    const cleanup = jest.fn();
    scope.onClose(cleanup);
    res.emit('finish');
    res.emit('close');
    await sleep(0);
    expect(cleanup).toHaveBeenCalledTimes(1);
    expect(res.listenerCount('finish') + res.listenerCount('close')).toBe(0);
  });
});
