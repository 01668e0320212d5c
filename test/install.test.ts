import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { installTestsRun } from './helpers/global-setup.js';

/**
 * Roster installed the way the README says, into a scratch project: from a git URL (npm clones
 * the repository's committed HEAD, installs its dependencies, runs `prepare`, which builds dist/,
 * and installs what `files` publishes) and from a path (a link to this checkout, which `npm
 * install` here built). Then `import { startRoster } from 'roster/testing'` serves, and
 * `npx roster --version` answers. Each install takes minutes (better-sqlite3 is compiled), so
 * this runs with ROSTER_TEST_INSTALL=1: .ci/run runs it after the suite (which says when it skips it).
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

// asynchronous: a test worker blocked for minutes loses its connection to vitest
const run = promisify(execFile);
const MAX_OUTPUT = 64 * 1024 * 1024;

async function npm(cwd: string, args: string[]): Promise<void> {
  await run('npm', args, { cwd, maxBuffer: MAX_OUTPUT, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });
}

async function installInto(spec: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'roster-install-'));
  scratch.push(dir);
  await npm(dir, ['init', '-y']);
  await npm(dir, ['install', '--save-dev', spec]);
  return dir;
}

async function expectItWorks(dir: string): Promise<void> {
  const served = await run(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "import { startRoster } from 'roster/testing'; const roster = await startRoster(); const res = await fetch(roster.url + '/healthz'); console.log(res.status, await res.text()); await roster.close();",
    ],
    { cwd: dir },
  );
  expect(served.stdout.trim()).toBe('200 {"status":"ok"}');
  expect((await run('npx', ['roster', '--version'], { cwd: dir })).stdout.trim()).toBe(version);
}

describe.skipIf(!installTestsRun())('installing roster into another project', () => {
  it('from a git URL: it builds itself (prepare) and ships dist/ and fixtures/, not the sources', async () => {
    const dir = await installInto(`git+file://${root}`);
    const installed = join(dir, 'node_modules', 'roster');
    expect(readFileSync(join(installed, 'package.json'), 'utf8')).toContain('"name": "roster"');
    expect(() => readFileSync(join(installed, 'src', 'main.ts'))).toThrow();
    await expectItWorks(dir);
  }, 600_000);

  it('from a path (this checkout, built by its own npm install)', async () => {
    await expectItWorks(await installInto(root));
  }, 600_000);
});
