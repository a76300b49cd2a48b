// `npm run cli -- <command>`, e.g. `npm run cli -- migrate:run --concurrency 8` or `npm run cli -- --help`.
import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { applySampleDefaults } from './sample.settings';
import { SampleCliModule } from './sample-cli.module';

async function main(): Promise<void> {
  applySampleDefaults(process.env); // the same defaults as `npm start`: it works on the same data
  await CommandFactory.run(SampleCliModule, {
    logger: ['error', 'warn'],
    // An error that escaped a command (the tenancy commands report their own) still fails the run.
    serviceErrorHandler: (error) => {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 1;
    },
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
