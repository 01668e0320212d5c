import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder above this file whose package.json is Roster's (works from bench/dist too). */
function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        if ((JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'roster') return dir;
      } catch {
        // keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('bench: cannot find the repository root (package.json named "roster")');
    dir = parent;
  }
}

export const repoRoot = findRepoRoot();
export const distMain = join(repoRoot, 'dist', 'main.js');
export const demoFixturePath = join(repoRoot, 'fixtures', 'demo.json');
export const resultsDir = join(repoRoot, 'bench', 'results');
/** compiled bench scripts (bench/dist/bench/...) */
export const benchBuildDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const prismBin = join(repoRoot, 'node_modules', '.bin', 'prism');
/** The peer's OpenAPI file, next to the repository in the shared workspace. */
export const companySpecPath = resolve(repoRoot, '..', 'shared', 'spec', 'openapi', 'storefront', 'company.yaml');
