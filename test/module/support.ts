import type { DynamicModule, ForwardReference, Type } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import type { TenancyModuleOptions } from 'nestjs-tenancy';

type Imports = Array<Type | DynamicModule | Promise<DynamicModule> | ForwardReference>;

/** Options that keep a module test light: the in-memory store, no cache, a pool of 2. */
export function lightOptions(databaseUrl: string, extra: Partial<TenancyModuleOptions> = {}): TenancyModuleOptions {
  return { databaseUrl, store: 'memory', cacheEnabled: false, poolSize: 2, ...extra };
}

/**
 * `boot(imports)` compiles and initializes a testing module; every module it booted is closed
 * after each test (their pools too).
 */
export function useModuleBoot(): (imports: Imports) => Promise<TestingModule> {
  const refs: TestingModule[] = [];
  afterEach(async () => {
    while (refs.length) await refs.pop()!.close();
  });
  return async (imports) => {
    const ref = await Test.createTestingModule({ imports }).compile();
    refs.push(ref);
    await ref.init();
    return ref;
  };
}

/** Sets TENANCY_* variables for one test; removes every other TENANCY_* (but TENANCY_TEST_*). Returns the undo. */
export function withTenancyEnv(vars: Record<string, string>): () => void {
  const saved = { ...process.env };
  for (const name of Object.keys(process.env)) {
    if (name.startsWith('TENANCY_') && !name.startsWith('TENANCY_TEST_')) delete process.env[name];
  }
  Object.assign(process.env, vars);
  return () => {
    process.env = saved;
  };
}
