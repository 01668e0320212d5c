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

const inputs = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'].map((p) => join(root, p));
const sourceTime = Math.max(...inputs.filter(existsSync).map(newest));
const builtTime = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
if (process.argv.includes('--force') || sourceTime > builtTime) {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  await bundleCli();
  writeFileSync(stamp, new Date().toISOString());
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
