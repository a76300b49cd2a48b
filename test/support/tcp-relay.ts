import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay in this process (127.0.0.1:<port> → target), for faults between the app and a
 * service without touching the service itself (it is shared by every test on the machine):
 * - `cut()` drops every relayed connection and refuses new ones until `restore()` (an outage);
 * - `hold()` buffers what the server sends back (requests still reach it) until `release()`
 *   (a delay exactly where a race needs one, without timers).
 */
export class TcpRelay {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private held: Array<{ client: Socket; chunk: Buffer }> = [];
  private holding = false;
  private open = true;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** A relay to the host and port of `url` (`defaultPort` when the URL has none). */
  static to(url: string, defaultPort: number): TcpRelay {
    const parsed = new URL(url);
    return new TcpRelay(parsed.hostname, Number(parsed.port || defaultPort));
  }

  async start(): Promise<this> {
    this.server = createServer((client) => this.pipe(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  /** `url` routed through this relay (same credentials, database and query). */
  url(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }

  /** Drops every connection through the relay; new ones are closed at once. */
  cut(): void {
    this.open = false;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.held = [];
  }

  restore(): void {
    this.open = true;
  }

  /** Replies received from now on are buffered. */
  hold(): void {
    this.holding = true;
  }

  /** Bytes of replies buffered so far. */
  get heldBytes(): number {
    return this.held.reduce((sum, h) => sum + h.chunk.length, 0);
  }

  /** Sends the buffered replies on, in order, and stops holding. */
  release(): void {
    this.holding = false;
    for (const { client, chunk } of this.held) if (!client.destroyed) client.write(chunk);
    this.held = [];
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private pipe(client: Socket): void {
    if (!this.open) return void client.destroy();
    const upstream = createConnection({ host: this.targetHost, port: this.targetPort });
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        this.sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => {
      if (this.holding || this.held.length) this.held.push({ client, chunk });
      else client.write(chunk);
    });
  }
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
