import type { LoggerService } from '@nestjs/common';

/**
 * A Nest logger that counts instead of printing (a soak logs thousands of expected 500s), by
 * level and by message (first 160 characters), so a failure can say what happened.
 */
export class CountingLogger implements LoggerService {
  readonly counts = { error: 0, warn: 0 };
  readonly messages: { error: Map<string, number>; warn: Map<string, number> } = { error: new Map(), warn: new Map() };
  /** The first full entry (with its stack) of each message. */
  readonly firstSeen = new Map<string, string>();

  log(): void {}
  debug(): void {}
  verbose(): void {}
  error(message: unknown, ...rest: unknown[]): void {
    this.keep('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.keep('warn', message, rest);
  }

  /** Messages of `level` not matching `expected`, with their counts. */
  unexpected(level: 'error' | 'warn', expected: RegExp): Record<string, number> {
    return Object.fromEntries([...this.messages[level]].filter(([m]) => !expected.test(m)));
  }

  private keep(level: 'error' | 'warn', message: unknown, rest: unknown[]): void {
    this.counts[level]++;
    const stack = rest.find((r) => typeof r === 'string' && r.includes('\n    at ')) as string | undefined;
    const key = `${String(message)}${stack ? ` @ ${stack.split('\n')[1]?.trim()}` : ''}`.slice(0, 220);
    this.messages[level].set(key, (this.messages[level].get(key) ?? 0) + 1);
    if (!this.firstSeen.has(key)) {
      const full = [message, ...rest].map((x) => (x instanceof Error ? x.stack : String(x))).join('\n');
      this.firstSeen.set(key, full.slice(0, 4000));
    }
  }
}
