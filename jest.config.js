/** Jest: unit specs beside the code, integration/e2e suites under test/. */
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  },
];
const common = {
  transform: { '^.+\\.(t|j|mj)s$': swc },
  // Nest 12 ships ESM only: let swc turn it into CommonJS for Jest.
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|nest-commander)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  moduleNameMapper: {
    '^nestjs-tenancy$': '<rootDir>/libs/tenancy/src',
    '^nestjs-tenancy/(.*)$': '<rootDir>/libs/tenancy/src/$1',
  },
  testEnvironment: 'node',
};
module.exports = {
  // Global only (Jest ignores it per project): integration suites boot apps and databases.
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
