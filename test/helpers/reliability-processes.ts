import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { dropPgSchema, postgresUrl } from './dialects.js';
import { freePort, type RunningProcess, runRoster, waitForHealthy } from './processes.js';

/**
 * Process control for the reliability suites: Roster servers on a given database, a private
 * redis-server on a free port (never the shared 6379 one), and throw-away PostgreSQL schemas.
 * Everything started here is tracked so `stopAll()` (call it in afterEach/afterAll) kills exactly
 * the processes this file started, by their own handles.
 */
const started: { stop(): Promise<void> }[] = [];

export async function stopAll(): Promise<void> {
  while (started.length > 0) await started.pop()?.stop();
}

export interface RosterServer extends RunningProcess {
  port: number;
  base: string;
}

/** Starts `roster serve` on a free port and waits until /healthz answers. */
export async function startRoster(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RosterServer> {
  const port = await freePort();
  const p = runRoster(['serve', '--port', String(port), ...args], env);
  started.push({
    async stop() {
      p.kill('SIGKILL');
      await p.exited;
    },
  });
  try {
    await waitForHealthy(port, 20_000);
  } catch (error) {
    p.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\nstdout: ${p.output().slice(-2000)}\nstderr: ${p.stderr().slice(-2000)}`);
  }
  return Object.assign(p, { port, base: `http://127.0.0.1:${port}` });
}

export interface PrivateRedis {
  port: number;
  url: string;
  /** stops the server (SIGTERM, no save) and waits for it to exit */
  shutdown(): Promise<void>;
}

/** A redis-server of our own on a free port, in the foreground so we hold its handle. */
export async function startPrivateRedis(onPort?: number): Promise<PrivateRedis> {
  const port = onPort ?? (await freePort());
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const shutdown = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  started.push({ stop: shutdown });
  const deadline = performance.now() + 10_000;
  while (!out.includes('Ready to accept connections')) {
    if (child.exitCode !== null) throw new Error(`redis-server exited: ${out}`);
    if (performance.now() > deadline) throw new Error(`redis-server on ${port} did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { port, url: `redis://127.0.0.1:${port}`, shutdown };
}

export interface PgSchema {
  schema: string;
  /** the database URL with `?schema=` for `--database` */
  url: string;
  drop(): Promise<void>;
}

/** A fresh PostgreSQL schema name (created by Roster on first connect); drop() removes it. */
export function freshPgSchema(prefix = 'rel'): PgSchema {
  if (!postgresUrl) throw new Error('ROSTER_TEST_POSTGRES_URL is not set');
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  const url = new URL(postgresUrl);
  url.searchParams.set('schema', schema);
  const drop = () => dropPgSchema(schema);
  return { schema, url: url.toString(), drop };
}

/** Runs one query against a schema of the test PostgreSQL server. */
export async function pgQuery<T extends pg.QueryResultRow>(schema: string, text: string, values: unknown[] = []): Promise<T[]> {
  if (!postgresUrl) throw new Error('ROSTER_TEST_POSTGRES_URL is not set');
  const client = new pg.Client({ connectionString: postgresUrl, options: `-c search_path="${schema}"` });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Polls `check` until it returns true or the deadline passes. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
