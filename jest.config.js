/** Jest runs the TypeScript sources through ts-jest in transpile-only mode (tsconfig isolatedModules);
 * `npm run typecheck` is the type gate. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  setupFiles: ['<rootDir>/test/setup/network.ts'],
  testTimeout: 20000,
};
