import v8 from 'node:v8';
import fs from 'node:fs';
const max = {};
let maxRss = 0, maxExt = 0, maxAB = 0;
setInterval(() => {
  for (const s of v8.getHeapSpaceStatistics()) max[s.space_name] = Math.max(max[s.space_name] ?? 0, s.space_size / 1e6);
  const m = process.memoryUsage();
  maxRss = Math.max(maxRss, m.rss / 1e6); maxExt = Math.max(maxExt, m.external / 1e6); maxAB = Math.max(maxAB, m.arrayBuffers/1e6);
}, 20).unref();
process.on('SIGUSR2', () => {
  const st = fs.readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\s+(\d+)/)[1];
  fs.writeFileSync('/tmp/probe.json', JSON.stringify({ hwm: st / 1024, maxRss, maxExt, maxAB, max, now: process.memoryUsage() }, null, 1));
});
process.on('SIGWINCH', () => {
  const before = process.memoryUsage();
  globalThis.gc?.();
  const after = process.memoryUsage();
  fs.writeFileSync('/tmp/probe-gc.json', JSON.stringify({ beforeUsed: before.heapUsed/1e6, afterUsed: after.heapUsed/1e6, afterTotal: after.heapTotal/1e6, rss: after.rss/1e6 }));
  if (process.env.SNAP) v8.writeHeapSnapshot('/tmp/heap.heapsnapshot');
});
