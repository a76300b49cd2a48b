import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisOutageMonitor } from './redis-outage.monitor';

/** What changed: the cache entries to drop, under both keys. */
export interface TenantInvalidation {
  readonly id: string;
  readonly identifier: string;
  /** The tenant moved or stopped being served (strategy, database URL, status, deletion). */
  readonly placement?: boolean;
}

/** @internal Callbacks of the bus. */
export interface TenantInvalidationHandlers {
  /** Another instance changed this tenant. */
  readonly onRemote: (change: TenantInvalidation) => void;
  /** (Re)subscribed; `again` after a break, when messages may have been missed meanwhile. */
  readonly onSubscribed: (again: boolean) => void;
  /** The subscription broke: messages may be missed until `onSubscribed(true)`. */
  readonly onLost: () => void;
}

/**
 * @internal Cross-instance invalidation over Redis pub/sub. Messages are JSON
 * `{ id, identifier, placement, instanceId }`; an instance ignores its own. Subscribes on every
 * (re)connection and reports it, so the caller can drop what it may have missed meanwhile.
 */
export class TenantInvalidationBus {
  readonly instanceId = randomUUID();
  private started?: Promise<void>;
  private markStarted: () => void = () => undefined;
  private subscribed = false;
  private everSubscribed = false;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly channel: string,
    private readonly handlers: TenantInvalidationHandlers,
    private readonly monitor: RedisOutageMonitor,
  ) {
    subscriber.on('message', (ch: string, message: string) => this.receive(ch, message));
    subscriber.on('ready', () => this.subscribe());
    subscriber.on('close', () => {
      if (!this.subscribed) return;
      this.subscribed = false;
      this.handlers.onLost();
    });
  }

  /** True while the subscription is in place (no message can be missed). */
  get isSubscribed(): boolean {
    return this.subscribed;
  }

  /** Connects and subscribes; resolves once subscribed or once that failed (never rejects). */
  start(): Promise<void> {
    if (this.started) return this.started;
    this.started = new Promise<void>((resolve) => (this.markStarted = resolve));
    if (this.subscriber.status === 'wait') this.subscriber.connect().catch(() => this.markStarted());
    return this.started;
  }

  /** Sends the change to the other instances; false when it could not be sent (Redis down). */
  async publish(change: TenantInvalidation): Promise<boolean> {
    if (this.publisher.status !== 'ready') return false;
    const message = JSON.stringify({
      id: change.id,
      identifier: change.identifier,
      placement: change.placement === true,
      instanceId: this.instanceId,
    });
    try {
      await this.publisher.publish(this.channel, message);
      return true;
    } catch (error) {
      this.monitor.failed(error);
      return false;
    }
  }

  private subscribe(): void {
    this.subscriber.subscribe(this.channel).then(
      () => {
        this.subscribed = true;
        this.handlers.onSubscribed(this.everSubscribed);
        this.everSubscribed = true;
        this.markStarted();
      },
      () => this.markStarted(), // the 'error' listener has reported it; the next 'ready' retries
    );
  }

  private receive(channel: string, message: string): void {
    if (channel !== this.channel) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    const { id, identifier, placement, instanceId } = (parsed ?? {}) as Record<string, unknown>;
    if (instanceId === this.instanceId || typeof id !== 'string' || typeof identifier !== 'string') return;
    this.handlers.onRemote({ id, identifier, placement: placement === true });
  }
}
