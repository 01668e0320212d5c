#!/usr/bin/env node
// `npm start` builds first, but only when something under src/ (or the build config) is newer than the
// last successful build: an up-to-date build costs a directory walk, not a compiler run.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = join(root, 'dist', '.build-stamp');

function newest(path) {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let max = info.mtimeMs;
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

/**
 * Builds when forced or when the sources are newer than the last build. With `announce`, says so
 * on stderr before the (silent, ~15 s on this kind of machine) compile and how long it took.
 */
export async function ensureBuilt({ force = false, announce = false } = {}) {
  const inputs = ['src', 'tsconfig.json', 'tsconfig.build.json', 'tsconfig.console.json', 'package.json'].map((p) => join(root, p));
  const sourceTime = Math.max(...inputs.filter(existsSync).map(newest));
  const builtTime = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
  if (!force && sourceTime <= builtTime) return false;
  const started = Date.now();
  if (announce) {
    const why = builtTime === 0 ? 'no build yet' : 'src/ changed since the last build';
    process.stderr.write(`roster: building dist/ (${why}; TypeScript + bundle, about 15 s here; again only when src/ changes)...\n`);
  }
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  // the console's browser script (served at /_roster/ui), with the DOM types the server must not see
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.console.json')], { stdio: 'inherit' });
  await bundleCli();
  writeFileSync(stamp, new Date().toISOString());
  if (announce) process.stderr.write(`roster: built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return true;
}

// run as a script (npm run build, pretest, bench): build now
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await ensureBuilt({ force: process.argv.includes('--force'), announce: process.argv.includes('--announce') });
}

/**
 * The CLI (`dist/main.js`: `npm start`, the `roster` bin) as one bundled file over tsc's output of
 * the same name: loading ~800 small modules (kysely alone is ~290 files) was most of a server's
 * start. The library entry points (`dist/app.js`, `dist/testing.js`) stay tsc's modules. Left out
 * of the bundle: better-sqlite3 (native), pg-native (optional in pg), and graphql, which must be
 * the same module instance as the one graphql-jit requires when it is loaded on first use.
 */
async function bundleCli() {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [join(root, 'src', 'main.ts')],
    outfile: join(root, 'dist', 'main.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
    external: ['better-sqlite3', 'pg-native', 'graphql', 'graphql/*'],
    // CommonJS dependencies inside an ES module bundle still call require()
    banner: { js: "import { createRequire as __rosterCreateRequire } from 'node:module'; const require = __rosterCreateRequire(import.meta.url);" },
  });
}
