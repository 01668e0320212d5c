import type { Command } from 'commander';
import { readAdminClientConfig } from './config.js';
import { AppError } from '../shared/errors.js';

/**
 * CLI commands that drive a running server's emulator controls (/_roster) over HTTP:
 * `roster reset`, `roster snapshot <name>`, `roster snapshots`, `roster clock ...`, `roster fork`.
 * `--url` (or ROSTER_URL) points at the server, `--admin-token` (or ROSTER_ADMIN_TOKEN) when it has one.
 */
interface ClientFlags {
  url?: string;
  adminToken?: string;
  fork?: string;
  json?: boolean;
}

async function call(flags: ClientFlags, method: string, path: string, body?: unknown): Promise<unknown> {
  const config = readAdminClientConfig(flags);
  const prefix = flags.fork !== undefined ? `/f/${encodeURIComponent(flags.fork)}` : '';
  const url = `${config.url}${prefix}/_roster${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(config.adminToken !== undefined ? { authorization: `Bearer ${config.adminToken}` } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (error) {
    throw new AppError('BAD_REQUEST', `cannot reach ${config.url}: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`);
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = text;
  }
  if (!response.ok) {
    const err = (parsed as { error?: { message?: string } } | undefined)?.error;
    if (response.status === 404 && err === undefined) throw new AppError('NOT_FOUND', `${config.url} has no emulator controls (off on this host, or not a Roster server)`);
    throw new AppError('BAD_REQUEST', `${method} ${path}: ${response.status} ${err?.message ?? text.slice(0, 200)}`);
  }
  return parsed;
}

function print(flags: ClientFlags, value: unknown, line: string): void {
  process.stdout.write(flags.json ? `${JSON.stringify(value, null, 2)}\n` : `${line}\n`);
}

/** "90000", "90s", "15m", "2h", "1d", "-1h" → ms */
export function parseDuration(text: string): number {
  const m = /^(-?\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new AppError('BAD_REQUEST', `not a duration: "${text}" (e.g. 90000, 90s, 15m, 2h, 1d)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 'ms') as 'ms'];
  return Math.round(Number(m[1]) * unit);
}

/**
 * The options every admin command shares are the program's own, so they work before or after the
 * subcommand (`roster --url http://127.0.0.1:3999 reset` and `roster reset --url ...`); each
 * command reads them merged with its own (optsWithGlobals). `serve` keeps its own --admin-token
 * (the token it requires), which the same flag sets in either place.
 */
function addClientOptions(program: Command): void {
  program
    .option('--url <url>', 'admin commands: the server (default ROSTER_URL or http://127.0.0.1:3000)')
    .option('--admin-token <token>', 'admin commands: the admin token, when the server has one (or ROSTER_ADMIN_TOKEN)')
    .option('--fork <id>', 'admin commands: act on this fork instead of the main world')
    .option('--json', 'admin commands: print the JSON answer')
    .configureHelp({ showGlobalOptions: true });
}

/** This command's options merged with the program's (global) ones. */
const flagsOf = <F>(command: Command) => command.optsWithGlobals() as ClientFlags & F;

type ClockView = { now: string; frozen: boolean };
const clockLine = (c: ClockView) => `clock: ${c.now}${c.frozen ? ' (frozen)' : ''}`;

export function registerAdminCommands(program: Command): void {
  addClientOptions(program);
  program
    .command('reset')
    .description('put a running server back to its loaded fixture state')
    .option('--all', 'also clear fault rules, the request journal, events and rate-limit overrides')
    .action(async (_options: unknown, command: Command) => {
      const flags = flagsOf<{ all?: boolean }>(command);
      const result = (await call(flags, 'POST', '/reset', flags.all ? { all: true } : {})) as { world: string; cleared: string[] };
      print(flags, result, `${result.world}: reset (${result.cleared.join(', ')})`);
    });

  program
    .command('snapshot <name>')
    .description('snapshot the world of a running server (or --restore / --delete it)')
    .option('--restore', 'restore the snapshot instead of taking it')
    .option('--delete', 'delete the snapshot')
    .action(async (name: string, _options: unknown, command: Command) => {
      const flags = flagsOf<{ restore?: boolean; delete?: boolean }>(command);
      const path = `/snapshots/${encodeURIComponent(name)}`;
      if (flags.restore && flags.delete) throw new AppError('BAD_REQUEST', 'give --restore or --delete, not both');
      if (flags.restore) {
        const result = await call(flags, 'POST', `${path}/restore`);
        print(flags, result, `restored snapshot ${name}`);
      } else if (flags.delete) {
        await call(flags, 'DELETE', path);
        print(flags, { deleted: name }, `deleted snapshot ${name}`);
      } else {
        const result = (await call(flags, 'POST', '/snapshots', { name })) as { replaced: boolean };
        print(flags, result, `${result.replaced ? 'replaced' : 'took'} snapshot ${name}`);
      }
    });

  program
    .command('snapshots')
    .description('list the snapshots of a running server')
    .action(async (_options: unknown, command: Command) => {
    const flags = flagsOf<object>(command);
    const result = (await call(flags, 'GET', '/snapshots')) as { snapshots: { name: string; createdAt: string }[] };
    print(flags, result, result.snapshots.length === 0 ? 'no snapshots' : result.snapshots.map((s) => `${s.name}\t${s.createdAt}`).join('\n'));
  });

  program
    .command('clock [action] [value]')
    .description('show the clock; or: freeze [ISO instant], advance <duration: 90s, 15m, 2h, 1d, ms>, set <ISO instant>, real')
    .action(async (action: string | undefined, value: string | undefined, _options: unknown, command: Command) => {
    const flags = flagsOf<object>(command);
    let body: Record<string, unknown> | undefined;
    switch (action) {
      case undefined:
      case 'show':
        break;
      case 'freeze':
        body = value === undefined ? { freeze: true } : { now: value };
        break;
      case 'set':
        if (value === undefined) throw new AppError('BAD_REQUEST', 'clock set needs an ISO-8601 instant');
        body = { now: value };
        break;
      case 'advance':
        if (value === undefined) throw new AppError('BAD_REQUEST', 'clock advance needs a duration (90s, 15m, 2h, 1d or ms)');
        body = { advanceMs: parseDuration(value) };
        break;
      case 'real':
        body = { real: true };
        break;
      default:
        throw new AppError('BAD_REQUEST', `unknown clock action "${action}" (show, freeze, set, advance, real)`);
    }
    const result = (await call(flags, body === undefined ? 'GET' : 'POST', '/clock', body)) as ClockView;
    print(flags, result, clockLine(result));
  });

  program
    .command('fork')
    .description('fork the world of a running server and print the fork URL (or --delete <id>)')
    .option('--delete <id>', 'delete this fork')
    .action(async (_options: unknown, command: Command) => {
      const flags = flagsOf<{ delete?: string }>(command);
      if (flags.delete !== undefined) {
        await call(flags, 'DELETE', `/forks/${encodeURIComponent(flags.delete)}`);
        print(flags, { deleted: flags.delete }, `deleted fork ${flags.delete}`);
        return;
      }
      const result = (await call(flags, 'POST', '/forks')) as { id: string; url: string };
      print(flags, result, result.url);
    });
}
