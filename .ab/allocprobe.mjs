import inspector from 'node:inspector';
import fs from 'node:fs';
const session = new inspector.Session();
session.connect();
process.on('SIGUSR1', () => {}); // avoid debugger default
process.on('SIGWINCH', () => {
  session.post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: process.env.MINOR === "1" }, (e) => e && console.error(e));
});
process.on('SIGUSR2', () => {
  session.post('HeapProfiler.stopSampling', (err, { profile }) => {
    if (err) return console.error(err);
    // aggregate self size by function+url:line and by "stack signature" top 4
    const bySelf = new Map(); const byStack = new Map();
    let total = 0;
    const walk = (node, stack) => {
      const f = node.callFrame;
      const name = `${f.functionName || '(anon)'} ${f.url.replace(/.*node_modules\//, 'nm/').replace(/.*\/dist\//, 'dist/')}:${f.lineNumber}`;
      const st = [...stack, name];
      if (node.selfSize) {
        total += node.selfSize;
        bySelf.set(name, (bySelf.get(name) ?? 0) + node.selfSize);
        const key = st.slice(-4).join(' <- ');
        byStack.set(key, (byStack.get(key) ?? 0) + node.selfSize);
      }
      for (const c of node.children) walk(c, st);
    };
    walk(profile.head, []);
    const top = (m, n) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${(v / total * 100).toFixed(1)}%  ${k}`).join('\n');
    fs.writeFileSync('/tmp/alloc.txt', `total sampled ${(total/1e6).toFixed(1)} MB\n== self\n${top(bySelf, 40)}\n== stacks\n${top(byStack, 30)}\n`);
  });
});
