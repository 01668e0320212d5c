// Jest runs the roster/msw recipe the way a Jest user would: ESM, Node environment, the built package.
export default {
  rootDir: '.',
  testEnvironment: 'node',
  testMatch: ['**/*.jest.mjs'],
  transform: {},
};
