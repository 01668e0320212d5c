import { defineConfig } from 'vitest/config';

export default defineConfig({
  // One graphql instance: graphql-jit (loaded by Node) gets graphql's CommonJS entry, so sources
  // must too; vite would otherwise pick index.mjs ("Cannot use GraphQLObjectType from another realm").
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
