import { seedBenchDatabase } from './prepare.js';

/**
 * Standalone dataset generator:
 *   node bench/dist/bench/dataset/generate-cli.js --database sqlite:./data/big.db --users 1000000
 * Migrates, loads the demo fixture into an empty database, then adds N users to the demo account
 * (and its store f0qyczpkb2) and N company users to the demo company 123456.
 */
function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const database = arg('--database');
const users = Number((arg('--users') ?? '').replace(/_/g, ''));
if (!database || !Number.isInteger(users) || users < 0) {
  process.stderr.write('usage: generate-cli --database <sqlite:PATH|postgres://...> --users <N>\n');
  process.exit(2);
}
const result = await seedBenchDatabase(database, users);
process.stdout.write(`${users.toLocaleString('en-US')} users (${result.rowsWritten.toLocaleString('en-US')} rows) written in ${(result.ms / 1000).toFixed(1)} s\n`);
