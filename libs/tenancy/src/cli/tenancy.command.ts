import { CommandRunner, Option } from 'nest-commander';
import { CliOutput } from './cli-output';

/** Options every tenancy command accepts. */
export interface JsonOption {
  json?: boolean;
}

/**
 * @internal Base of the tenancy commands: `--json`, and one error path. A failure is printed
 * (as `{"error": …}` with `--json`) and sets `process.exitCode = 1`; the library never calls
 * `process.exit()`, so the application closes cleanly.
 */
export abstract class TenancyCommand<O extends JsonOption = JsonOption> extends CommandRunner {
  constructor(protected readonly output: CliOutput) {
    super();
  }

  /** The command's work; throw to fail with exit code 1. */
  protected abstract execute(params: string[], options: O): Promise<void>;

  async run(params: string[], options?: O): Promise<void> {
    const opts = (options ?? {}) as O;
    try {
      await this.execute(params, opts);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (opts.json) this.output.json({ error: message, name: error instanceof Error ? error.name : 'Error' });
      else this.output.error(`Error: ${message}`);
      process.exitCode = 1;
    }
  }

  @Option({ flags: '--json', description: 'print JSON lines instead of text' })
  parseJson(): boolean {
    return true;
  }
}
