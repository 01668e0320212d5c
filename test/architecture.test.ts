import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The layering of src/ (README "Architecture"), checked on the import statements: edges (http,
 * graphql, rest, emulator, cli) → domain → db/shared; no runtime import cycle between folders
 * (type-only imports are erased at build time and are not counted).
 */
const SRC = fileURLToPath(new URL('../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [join(dir, entry.name)] : [],
  );
}

/** The folder a file belongs to for layering: the file's top folder, one level deeper for domain/, db/, emulator/, graphql/, rest/. */
function folderOf(file: string): string {
  const parts = relative(SRC, file).split(sep);
  if (parts.length === 1) return '.';
  const [top, second] = parts as [string, string];
  return ['domain', 'db', 'emulator', 'graphql', 'rest'].includes(top) && parts.length > 2 ? `${top}/${second}` : top;
}

/** folder → folders it imports at run time, with one example import each */
function runtimeImports(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/^import (?!type )[^;]*?from '(\.[^']+)'/gms)) {
      const target = normalize(join(dirname(file), match[1] as string));
      const from = folderOf(file);
      const to = folderOf(target);
      if (from === to) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      graph.get(from)?.set(to, `${relative(SRC, file)} -> ${relative(SRC, target)}`);
    }
  }
  return graph;
}

describe('architecture', () => {
  const graph = runtimeImports();
  const reaches = (from: string, to: string, seen = new Set<string>()): boolean => {
    if (from === to) return true;
    for (const next of graph.get(from)?.keys() ?? []) {
      if (seen.has(next)) continue;
      seen.add(next);
      if (reaches(next, to, seen)) return true;
    }
    return false;
  };

  it('has no runtime import cycle between folders', () => {
    const cycles: string[] = [];
    for (const [from, targets] of graph) for (const [to, example] of targets) if (reaches(to, from)) cycles.push(example);
    expect(cycles).toEqual([]);
  });

  it('keeps imports pointing edges → domain → db/shared', () => {
    const wrong: string[] = [];
    const edges = ['http', 'graphql', 'rest', 'emulator', 'cli', 'auth', 'fixtures', '.'];
    for (const [from, targets] of graph) {
      for (const [to, example] of targets) {
        const fromTop = from.split('/')[0] as string;
        const toTop = to.split('/')[0] as string;
        // the domain knows nothing of HTTP, GraphQL, REST, the emulator or the CLI
        if (fromTop === 'domain' && edges.includes(toTop)) wrong.push(example);
        // storage and shared helpers know nothing above them
        if ((fromTop === 'db' || fromTop === 'shared') && !['db', 'shared'].includes(toTop)) wrong.push(example);
      }
    }
    expect(wrong).toEqual([]);
  });
});
