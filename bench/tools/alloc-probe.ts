/**
 * Where a server's heap grows under load. Load it into the server process and toggle it with SIGUSR2:
 *
 *   node --import ./bench/dist/bench/tools/alloc-probe.js dist/main.js serve ...
 *   kill -USR2 <pid>    # start sampling (after a warm-up)
 *   ... load ...
 *   kill -USR2 <pid>    # stop: the summary goes to $ALLOC_PROBE_OUT (default /tmp/alloc-probe.txt)
 *
 * It samples allocations with V8's heap profiler, including objects that died since: by default those
 * only a full (mark-compact) GC collected, i.e. what reached old space, which is what makes peak RSS
 * grow under load; with ALLOC_PROBE_ALL=1 also what young-generation GCs collected (every allocation).
 * Prints the share of sampled bytes per allocating function and per last four frames of the stack.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

const out = process.env.ALLOC_PROBE_OUT ?? '/tmp/alloc-probe.txt';
const all = process.env.ALLOC_PROBE_ALL === '1';
const session = new Session();
session.connect();
let sampling = false;

function frameName(node: ProfileNode): string {
  const f = node.callFrame;
  const url = f.url.replace(/.*node_modules\//, '').replace(/.*\/dist\//, 'dist/');
  return `${f.functionName || '(anonymous)'} ${url}:${f.lineNumber + 1}`;
}

function summarize(head: ProfileNode): string {
  const bySelf = new Map<string, number>();
  const byStack = new Map<string, number>();
  let total = 0;
  const walk = (node: ProfileNode, stack: string[]) => {
    const here = [...stack, frameName(node)];
    if (node.selfSize > 0) {
      total += node.selfSize;
      bySelf.set(here[here.length - 1] as string, (bySelf.get(here[here.length - 1] as string) ?? 0) + node.selfSize);
      const key = here.slice(-4).reverse().join(' <- ');
      byStack.set(key, (byStack.get(key) ?? 0) + node.selfSize);
    }
    for (const child of node.children) walk(child, here);
  };
  walk(head, []);
  const top = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `${((v / Math.max(total, 1)) * 100).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  return `sampled ${(total / 1e6).toFixed(1)} MB (${all ? 'every allocation' : 'allocations that reached old space'})\n\n== allocating function\n${top(bySelf, 40)}\n\n== stack (allocating frame first)\n${top(byStack, 30)}\n`;
}

process.on('SIGUSR2', () => {
  if (!sampling) {
    sampling = true;
    session.post('HeapProfiler.startSampling', {
      samplingInterval: 16_384,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: all,
    } as never);
    return;
  }
  sampling = false;
  session.post('HeapProfiler.stopSampling', (error, result) => {
    if (error) {
      writeFileSync(out, `alloc-probe: ${error.message}\n`);
      return;
    }
    writeFileSync(out, summarize((result as unknown as { profile: { head: ProfileNode } }).profile.head));
  });
});
