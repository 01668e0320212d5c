import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

/**
 * roster/msw under Jest (issue #20: "works under Node (msw/node) for Vitest and Jest"): the Jest recipe in
 * test/jest/ runs in a real Jest process (ESM, Node environment) against the built package (`npm test` builds
 * dist/ first), and must pass.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

it('the MSW recipe passes under Jest', () => {
  const jest = spawnSync(process.execPath, ['node_modules/jest/bin/jest.js', '--config', 'test/jest/jest.config.mjs', '--ci'], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '--experimental-vm-modules' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  const output = `${jest.stdout}\n${jest.stderr}`;
  expect(jest.status, output).toBe(0);
  expect(output).toMatch(/Tests:\s+2 passed, 2 total/);
});
