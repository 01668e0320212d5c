import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Child processes the bench starts (servers, baselines, the peer, the load generator). Every one is
 * tracked and killed by its own handle on exit or Ctrl-C; nothing is ever killed by name.
 */
const tracked = new Map<ChildProcess, string>();
const cleanups: (() => Promise<void>)[] = [];

export function track(child: ChildProcess, label: string): () => void {
  tracked.set(child, label);
  child.once('exit', () => tracked.delete(child));
  return () => tracked.delete(child);
}

/** Runs on exit or interruption (e.g. dropping PostgreSQL schemas); removed again by the returned function. */
export function onCleanup(fn: () => Promise<void>): () => void {
  cleanups.push(fn);
  return () => {
    const i = cleanups.indexOf(fn);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

export async function cleanupAll(): Promise<void> {
  for (const child of [...tracked.keys()]) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  tracked.clear();
  for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\nbench: ${signal}, stopping what it started...\n`);
    void cleanupAll().finally(() => process.exit(130));
  });
}
process.on('exit', () => {
  for (const child of tracked.keys()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface MemoryUsage {
  /** peak resident set (VmHWM), MB */
  peakMb: number;
  /** current resident set (VmRSS), MB */
  currentMb: number;
}

/** CPU time (user + system) a process has used so far, ms (from /proc/<pid>/stat; 10 ms resolution). */
export function readCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the command name (which may hold spaces) start at ") "
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    return Number.isFinite(ticks) ? ticks * 10 : undefined; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

export function readMemory(pid: number): MemoryUsage | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { peakMb: kb('VmHWM') / 1024, currentMb: kb('VmRSS') / 1024 };
  } catch {
    return undefined;
  }
}

export interface RunningServer {
  label: string;
  pid: number;
  port: number;
  baseUrl: string;
  /** launch to first 200 on the ready URL, ms */
  startupMs: number;
  /** CPU time the process used until then, ms (less sensitive to a busy machine than wall time) */
  startupCpuMs: number | undefined;
  memory(): MemoryUsage | undefined;
  /** true once the process has ended (e.g. crashed under load) */
  hasExited(): boolean;
  /** the last lines the process wrote to stderr/stdout (for failure messages) */
  output(): string;
  stop(): Promise<MemoryUsage | undefined>;
}

export interface StartOptions {
  label: string;
  command: string;
  args: string[];
  port: number;
  /** path polled until it answers 200 */
  readyPath: string;
  readyHeaders?: Record<string, string>;
  timeoutMs?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Spawns a server process and resolves once `readyPath` answers 200; rejects (and kills it) otherwise. */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  const launched = performance.now();
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const untrack = track(child, options.label);
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const baseUrl = `http://127.0.0.1:${options.port}`;
  const deadline = launched + (options.timeoutMs ?? 30_000);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  for (;;) {
    if (exited) {
      untrack();
      throw new Error(`${options.label} exited before it was ready: ${tail.trim().split('\n').slice(-5).join(' | ')}`);
    }
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      untrack();
      throw new Error(`${options.label} was not ready within ${options.timeoutMs ?? 30_000} ms: ${tail.trim().split('\n').slice(-5).join(' | ')}`);
    }
    try {
      const response = await fetch(baseUrl + options.readyPath, { headers: options.readyHeaders ?? {} });
      await response.arrayBuffer();
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    await sleep(5);
  }
  const startupMs = performance.now() - launched;
  const pid = child.pid ?? -1;
  const startupCpuMs = readCpuMs(pid);
  return {
    label: options.label,
    pid,
    port: options.port,
    baseUrl,
    startupMs,
    startupCpuMs,
    memory: () => readMemory(pid),
    hasExited: () => exited,
    output: () => tail,
    async stop() {
      const memory = readMemory(pid);
      await stopChild(child);
      untrack();
      return memory;
    },
  };
}

export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
