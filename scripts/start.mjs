#!/usr/bin/env node
// `npm start`: one node process after npm. Builds first only when src/ changed since the last
// build (and says so, with how long it takes), then runs the CLI's `serve` in this same process
// (a separate prestart process cost ~0.1-0.2 s of every start).
import { ensureBuilt } from './build-if-stale.mjs';

await ensureBuilt({ announce: true });
// as `node dist/main.js serve <flags>`: commander reads process.argv from index 2
process.argv.splice(2, 0, 'serve');
await import('../dist/main.js');
