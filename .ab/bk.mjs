import Database from 'better-sqlite3';
const db = new Database('/tmp/big.db');
db.pragma('journal_mode = WAL');
const t0 = performance.now();
const mode = process.argv[2];
if (mode === 'backup') {
  await db.backup('/tmp/img-backup.db', { progress: () => 0x7fffffff });
} else if (mode === 'vacuum') {
  db.exec(`VACUUM INTO '/tmp/img-vacuum.db'`);
} else if (mode === 'serialize') {
  const b = db.serialize(); console.log(b.length);
}
console.log(mode, (performance.now() - t0).toFixed(0), 'ms', 'rss', (process.memoryUsage().rss/1e6).toFixed(0));
const hwm = (await import('node:fs')).readFileSync('/proc/self/status','utf8').match(/VmHWM:\s+(\d+)/)[1];
console.log('hwm MB', hwm/1024);
