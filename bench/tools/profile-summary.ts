import { readFileSync } from 'node:fs';

/**
 * Where the time goes in a `.cpuprofile` (from `node --cpu-prof`):
 *   node bench/dist/bench/tools/profile-summary.js FILE.cpuprofile [top]
 * Prints self time per function and per owner (a package in node_modules, a file of Roster's
 * dist/, or Node's internals), and inclusive time for Roster's own functions.
 */
interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
const top = Number(process.argv[3] ?? 25);
if (!file) {
  process.stderr.write('usage: profile-summary FILE.cpuprofile [top]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const idle = [...selfUs.entries()].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)').reduce((a, [, t]) => a + t, 0);
const busy = total - idle;

function owner(frame: CallFrame): string {
  const url = frame.url;
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return `roster:${url.slice(dist + '/dist/'.length)}`;
  if (url.startsWith('node:')) return 'node internals';
  return url;
}
const label = (f: CallFrame) => `${f.functionName || '(anonymous)'} ${owner(f)}:${f.lineNumber + 1}`;

const perFunction = new Map<string, number>();
const perOwner = new Map<string, number>();
const inclusiveRoster = new Map<string, number>();
for (const [id, t] of selfUs) {
  const node = byId.get(id);
  if (!node || node.callFrame.functionName === '(idle)') continue;
  perFunction.set(label(node.callFrame), (perFunction.get(label(node.callFrame)) ?? 0) + t);
  perOwner.set(owner(node.callFrame), (perOwner.get(owner(node.callFrame)) ?? 0) + t);
  // inclusive: every distinct Roster frame on the stack gets the sample once
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const frame = byId.get(cur)?.callFrame;
    if (frame && owner(frame).startsWith('roster:')) {
      const key = label(frame);
      if (!seen.has(key)) {
        seen.add(key);
        inclusiveRoster.set(key, (inclusiveRoster.get(key) ?? 0) + t);
      }
    }
  }
}
const pct = (t: number) => `${((100 * t) / busy).toFixed(1).padStart(5)}%`;
const print = (title: string, map: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, t] of [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${pct(t)} ${(t / 1000).toFixed(0).padStart(7)} ms  ${k}\n`);
};
process.stdout.write(`busy ${(busy / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms sampled (percentages are of busy time)\n`);
print('self time by owner', perOwner);
print('self time by function', perFunction);
print("inclusive time of Roster's functions", inclusiveRoster);
