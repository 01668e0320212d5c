#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { loggerOptions } from './app.js';
import { bootstrap, prepareWorld } from './bootstrap.js';
import { readFixtureFile, readServeConfig, type ServeFlags } from './cli/config.js';
import { createTerminalLog } from './cli/terminal-log.js';
import { type Database, openDatabase } from './db/database.js';
import { migrateDownAll, migrateToLatest } from './db/migrator.js';
import { createClock } from './shared/clock.js';
import { resolveAdminAccess } from './emulator/admin-access.js';
import { registerAdminCommands } from './cli/admin-client.js';
import { isAppError } from './shared/errors.js';
import { findApiAccountByTokenHash } from './domain/api-accounts/api-account-repository.js';
import { hashToken } from './shared/secrets.js';
import type { Fixture } from './fixtures/fixture-types.js';
import { findStoredStoreTokens } from './fixtures/stored-tokens.js';

/** Process entry: config -> database -> buildApp -> listen; signals; graceful shutdown. */

const DEMO_FIXTURE = new URL('../fixtures/demo.json', import.meta.url);

/** The package's version (package.json is always installed next to dist/). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** One clear line, no stack trace, non-zero exit. */
function die(message: string): never {
  process.stderr.write(`roster: ${message}\n`);
  process.exit(1);
}

function describeError(error: unknown): string {
  if (isAppError(error)) return error.message;
  const e = error as NodeJS.ErrnoException;
  return e?.message ?? String(error);
}

async function serve(flags: ServeFlags): Promise<void> {
  const config = readServeConfig(flags);
  const seedFile = config.seedFile;
  const admin = resolveAdminAccess({ host: config.host, adminToken: config.adminToken });
  let isDegraded: (() => boolean) | undefined;
  let redisReady = true;
  let onRedisChange: ((degraded: boolean, reason: string) => void) | undefined;
  const booted = await bootstrap({
    databaseUrl: config.databaseUrl,
    reset: config.reset,
    // --seed loads into an empty database only (or after --reset); without it the demo fills an empty one
    seed:
      seedFile !== undefined
        ? { fixture: readFixtureFile(seedFile), refusalHint: `; pass --reset to wipe it and load ${seedFile}` }
        : { fixture: readFixtureFile(DEMO_FIXTURE.pathname), onlyIfEmpty: true },
    ...(config.clockStart !== undefined ? { clockStart: config.clockStart } : {}),
    deterministic: config.deterministic,
    flags: { accountRateLimit: config.accountRateLimit, b2bRateLimit: config.b2bRateLimit, production: config.production, webhooks: config.webhooks },
    ...(config.redisUrl !== undefined
      ? {
          rateLimitStore: async (database: Database) => {
            const redisUrl = config.redisUrl as string;
            const { createRedisRateLimitStore } = await import('./domain/rate-limits/redis-rate-limit-store.js');
            const namespace = `roster:${hashToken(database.description + (database.pgSchema ?? '')).slice(0, 12)}`;
            const store = createRedisRateLimitStore({ url: redisUrl, namespace, onDegradedChange: (degraded, reason) => onRedisChange?.(degraded, reason) });
            // the first requests must already share the budget: wait (briefly) for the connection before serving
            redisReady = await store.whenReady(3000);
            if (config.reset) await store.reset().catch(() => undefined);
            isDegraded = () => store.degraded;
            return store;
          },
        }
      : {}),
    app: {
      logger: loggerOptions(config.logLevel, config.logFormat === 'pretty' ? createTerminalLog((text) => process.stdout.write(text)) : undefined),
      admin,
      isRateLimitDegraded: () => isDegraded?.() ?? false,
    },
  });
  const { app, database } = booted;
  if (config.redisUrl !== undefined) {
    onRedisChange = (degraded, reason) =>
      degraded ? app.log.warn({ reason }, 'rate limits degraded to local counters: Redis unreachable') : app.log.info('rate limits shared through Redis again');
    if (!redisReady) app.log.warn('rate limits degraded to local counters: Redis unreachable at start-up');
  }

  // read before listening, so the banner is printed before the first request can be answered
  const demoTokens = await findDemoTokens(database);
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await booted.close().catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') die(`port ${config.port} on ${config.host} is already in use`);
    if (code === 'EADDRNOTAVAIL') die(`cannot listen on ${config.host}: address not available`);
    die(`cannot listen on ${config.host}:${config.port}: ${describeError(error)}`);
  }

  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  const lines = [
    `Roster is serving ${database.description}`,
    `  health:              ${base}/healthz`,
    `  Account GraphQL API: ${base}/accounts/{account_uuid}/graphql`,
    `  B2B REST API:        ${base}/api/v2/users`,
    `  B2B GraphQL API:     ${base}/graphql`,
    `  B2B Management API:  ${base}/api/v3/io/users  (server-to-server, X-Auth-Token + X-Store-Hash)`,
    admin.enabled
      ? `  emulator controls:   ${base}/_roster${admin.token !== undefined ? ' (Authorization: Bearer <admin token>)' : ''}`
      : `  emulator controls:   off (${admin.reason ?? 'disabled'})`,
  ];
  if (demoTokens.length > 0) {
    lines.push('  demo tokens (from fixtures/demo.json):');
    for (const t of demoTokens) lines.push(`    ${t}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    try {
      await booted.close();
      process.exit(0);
    } catch (error) {
      process.stderr.write(`roster: shutdown failed: ${describeError(error)}\n`);
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/** The demo fixture's tokens, printed only when this database holds them (a new user can try requests at once). */
async function findDemoTokens(database: Database): Promise<string[]> {
  let demo: Fixture;
  try {
    demo = readFixtureFile(DEMO_FIXTURE.pathname) as Fixture;
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const account of demo.accounts ?? []) {
    for (const apiAccount of account.apiAccounts ?? []) {
      if (apiAccount.token === undefined) continue;
      if (await findApiAccountByTokenHash(database, hashToken(apiAccount.token))) out.push(`X-Auth-Token: ${apiAccount.token}  (account ${account.uuid}; ${apiAccount.scopes.length} scopes)`);
    }
  }
  // B2B Management API (/api/v3/io): store-level API accounts and the legacy authToken
  for (const t of await findStoredStoreTokens(database.kysely, demo)) {
    out.push(
      t.kind === 'api-account'
        ? `X-Auth-Token: ${t.token}  X-Store-Hash: ${t.storeHash}  (B2B Management API /api/v3/io; ${t.scopes.join(', ') || 'no B2B scope'})`
        : `authToken: ${t.token}  (B2B Management API /api/v3/io, legacy; store ${t.storeHash})`,
    );
  }
  if (out.length > 0) out.push('B2B: POST /api/io/auth/customers {"storeHash":"f0qyczpkb2","email":"m.curie@greatbuys.com","password":"Passw0rd!","channelId":1,"name":"demo"}');
  return out;
}

async function migrate(flags: { database?: string; down?: boolean }): Promise<void> {
  const config = readServeConfig({ ...(flags.database !== undefined ? { database: flags.database } : {}) });
  const database = await openDatabase(config.databaseUrl);
  try {
    const names = flags.down ? await migrateDownAll(database) : await migrateToLatest(database);
    process.stdout.write(
      names.length === 0 ? `${database.description}: already up to date\n` : `${database.description}: ${flags.down ? 'reverted' : 'applied'} ${names.join(', ')}\n`,
    );
  } finally {
    await database.close();
  }
}

async function seed(file: string, flags: { database?: string; reset?: boolean }): Promise<void> {
  const config = readServeConfig({ ...(flags.database !== undefined ? { database: flags.database } : {}) });
  const fixture = readFixtureFile(file);
  const database = await openDatabase(config.databaseUrl);
  try {
    const summary = (await prepareWorld(database, { reset: flags.reset === true, seed: { fixture, refusalHint: `; pass --reset to wipe it and load ${file}` } }, createClock())) ?? {};
    process.stdout.write(`${database.description}: loaded ${file} (${Object.entries(summary).map(([k, v]) => `${v} ${k}`).join(', ')})\n`);
  } finally {
    await database.close();
  }
}

const program = new Command();
program
  .name('roster')
  .description("Roster: a self-hostable stand-in for BigCommerce's user-management APIs")
  .version(packageVersion(), '-v, --version', 'print the version')
  .showHelpAfterError();

const serveOptions = (command: Command) =>
  command
    .option('--port <port>', 'port to listen on (default: PORT or 3000)')
    .option('--host <host>', 'address to listen on', undefined)
    .option('--database <url>', 'sqlite:PATH, sqlite::memory: or postgres://user@host:port/db (default sqlite:./data/roster.db)')
    .option('--seed <file>', 'load this fixture into an empty database')
    .option('--reset', 'wipe the database, migrate and load the fixture (--seed, or the demo)')
    .option('--account-rate-limit <n/ms|off>', 'Account API quota per account, e.g. 70/3600000, or off')
    .option('--b2b-rate-limit <n/ms|off>', 'B2B quota per store, e.g. 150/60000, or off')
    .option('--redis <url>', 'share rate-limit counters through Redis (redis://host:port)')
    .option('--webhooks <send|record|off>', 'webhook deliveries: send (default), record (signed and logged, never sent) or off')
    .option('--webhook-destinations <lenient|strict>', 'lenient (default): http or https, any port; strict: https on port 443 only, as BigCommerce')
    .option('--webhook-timeout-ms <n>', 'per delivery attempt, real time (default 10000)')
    .option('--webhook-insecure-tls', 'accept self-signed certificates of webhook destinations')
    .option('--webhook-timestamp <clock|real>', "webhook-timestamp from Roster's clock (default) or real time")
    .option('--webhook-concurrency <n>', 'hooks delivered to at once (default 8)')
    .option('--clock <instant>', 'start with the clock frozen at this ISO-8601 instant')
    .option('--log-level <level>', 'fatal, error, warn, info, debug (default info)')
    .option('--log-format <pretty|json>', 'pretty: a readable line per request (default on a terminal); json: one JSON record per line (default otherwise)')
    .option('--admin-token <token>', 'require this bearer token for the emulator controls at /_roster (needed to enable them off loopback; or ROSTER_ADMIN_TOKEN)')
    .option('--deterministic', 'seeded ids and, unless --clock is given, a clock frozen at 2025-01-01T00:00:00Z: identical runs give identical responses');

// with the program's options merged in: --admin-token may come before the subcommand (see cli/admin-client.ts)
serveOptions(program.command('serve', { isDefault: true }).description('serve every API (the default command)')).action((_options, command: Command) =>
  serve(command.optsWithGlobals()),
);
program
  .command('migrate')
  .description('apply the migrations (or revert them all with --down)')
  .option('--database <url>', 'database URL')
  .option('--down', 'revert every migration')
  .action(migrate);
program
  .command('seed <file>')
  .description('load a fixture into an empty database')
  .option('--database <url>', 'database URL')
  .option('--reset', 'wipe the database first')
  .action(seed);

registerAdminCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => die(describeError(error)));
