import { Injectable } from '@nestjs/common';

/**
 * Where the CLI writes: results to stdout, errors and the progress bar to stderr. Override this
 * provider to capture output in tests.
 */
@Injectable()
export class CliOutput {
  /** Writes one line to stdout. */
  line(text: string): void {
    process.stdout.write(`${text}\n`);
  }

  /** Writes `value` as one JSON line to stdout. */
  json(value: unknown): void {
    this.line(JSON.stringify(value));
  }

  /** Writes one line to stderr. */
  error(text: string): void {
    process.stderr.write(`${text}\n`);
  }

  /** The terminal a progress bar may draw on, or `undefined` when stderr is not a TTY. */
  get progressStream(): NodeJS.WriteStream | undefined {
    return process.stderr.isTTY ? process.stderr : undefined;
  }
}
