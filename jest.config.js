/** Jest runs the TypeScript sources through ts-jest in transpile-only mode (tsconfig isolatedModules);
 * `npm run typecheck` is the type gate. */
// Read once, by the run's main process: a run without PostgreSQL says so at its start (Jest shows
// no console output of a file whose tests were all skipped).
if (!process.env.TEST_DATABASE_URL)
  console.warn('TEST_DATABASE_URL not set: the PostgreSQL suites (store, query plans, replicas) are skipped');

module.exports = {
  // Node's, and it takes a file's nock out at the file's end even when all its tests were skipped.
  testEnvironment: '<rootDir>/test/setup/environment.js',
  // src/ is a root too so that coverage also finds the files no test loads (src/main.ts runs only in
  // the child processes of test/process); tests live in test/ only, test/process included.
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  setupFilesAfterEnv: ['<rootDir>/test/setup/network.ts'],
  testTimeout: 20000,
  // `npm run test:coverage`: everything under src/ counts, also what no test loads (it shows as 0 %).
  collectCoverageFrom: ['src/**/*.ts'],
  // babel (Jest's default): on this suite v8's report step took longer than babel's instrumenting.
  coverageProvider: 'babel',
  // The level measured when coverage was introduced (with TEST_DATABASE_URL set, as CI runs), rounded
  // down: raise it when coverage rises, never lower it.
  coverageThreshold: { global: { statements: 94, branches: 84, functions: 94, lines: 96 } },
};
