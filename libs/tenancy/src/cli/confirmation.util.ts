import { createInterface } from 'node:readline/promises';
import { TenancyError } from '../errors/tenancy.error';

/** Where a confirmation is asked: the terminal by default. */
export interface ConfirmationIo {
  readonly input: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly output: NodeJS.WritableStream;
}

const TERMINAL: ConfirmationIo = { input: process.stdin, output: process.stderr };

/**
 * @internal A destructive command goes on only with `--yes`, or when a person at a terminal
 * answers `yes` to `question`. Without a terminal (CI, pipes) and without `--yes` it refuses.
 * @throws TenancyError when refused or not confirmed.
 */
export async function confirmDestructive(question: string, yes: boolean, io: ConfirmationIo = TERMINAL): Promise<void> {
  if (yes) return;
  if (!io.input.isTTY) {
    throw new TenancyError(`${question} Refusing without confirmation: pass --yes when not run from a terminal.`);
  }
  const prompt = createInterface({ input: io.input, output: io.output });
  try {
    const answer = (await prompt.question(`${question} Type "yes" to continue: `)).trim().toLowerCase();
    if (answer !== 'yes' && answer !== 'y') throw new TenancyError('Cancelled: nothing was changed.');
  } finally {
    prompt.close();
  }
}
