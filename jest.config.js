/**
 * Jest runs the TypeScript sources as native ES modules (the same module system `node` uses for
 * `npm start`); @swc/jest only strips types, so tests exercise the code exactly as it ships.
 * Type checking is tsc's job (`npm run typecheck`), not the test runner's.
 */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2024' }, module: { type: 'es6' } },
    ],
  },
  testTimeout: 20000,
};
