import { Test, type TestingModule } from '@nestjs/testing';
import { TenancyModule, type TenancyModuleOptions } from 'nestjs-tenancy';
import { CliOutput, TenancyCliModule } from 'nestjs-tenancy/cli';

/** The CLI module in process on a real database, its output captured. */
export interface CliApp {
  readonly ref: TestingModule;
  /** Lines and JSON the commands printed. */
  readonly out: string[];
  /** Lines the commands printed as errors. */
  readonly err: string[];
  /** Takes (and clears) what was printed, each line read as JSON. */
  take(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/**
 * Boots `TenancyModule.forRoot(options)` with the CLI module and captures its output in `out` and
 * `err` (pass arrays to share them between boots).
 */
export async function bootCli(
  options: TenancyModuleOptions,
  { out = [], err = [] }: { out?: string[]; err?: string[] } = {},
): Promise<CliApp> {
  const ref = await Test.createTestingModule({
    imports: [TenancyModule.forRoot({ mountGuard: false, ...options }), TenancyCliModule],
  })
    .overrideProvider(CliOutput)
    .useValue({
      line: (l: string) => out.push(l),
      json: (v: unknown) => out.push(JSON.stringify(v)),
      error: (l: string) => err.push(l),
      progressStream: undefined,
    })
    .compile();
  await ref.init();
  return {
    ref,
    out,
    err,
    take: () => out.splice(0).map((l) => JSON.parse(l) as Record<string, unknown>),
    close: () => ref.close(),
  };
}
