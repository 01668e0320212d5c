import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import type { DialectName } from '../src/db/database.js';
import { type MixedDataset, mixedShape } from './dataset/mixed.js';
import { createBenchDatabase, findPostgres, seedBenchDatabase, seedMixedDatabase } from './dataset/prepare.js';
import { type LoadGenerator, startLoadGenerator } from './lib/load.js';
import type { LoadResult, LoadSpec } from './lib/load-types.js';
import { benchBuildDir, companySpecPath, distMain, prismBin, repoRoot, resultsDir } from './lib/paths.js';
import { cleanupAll, freePort, onCleanup, type RunningServer, startServer } from './lib/processes.js';
import type { ColdStartRecord, InProcessRecord, RoundRecord, RunRecord, ScenarioRecord, WebhookRoundRecord } from './lib/records.js';
import { evaluateTargets, median, renderMarkdown, renderSummary, summarize } from './lib/report.js';
import { mixedScenarios, signInMixedAdmins } from './mixed-scenarios.js';
import { obtainB2bToken, type PreparedLoad, type Scenario, type ScenarioKey, type ServerContext, scenarios as sizedScenarios } from './scenarios.js';

/**
 * `npm run bench [-- --quick] [options]`: Roster against the machine's limit (bare node:http,
 * bare Fastify) and a peer (Stoplight Prism), side by side, in one run. See bench/README.md.
 */

interface Options {
  mode: 'quick' | 'full';
  dialects: DialectName[] | undefined;
  sizes: number[];
  durationSeconds: number;
  warmupSeconds: number;
  rounds: number;
  connections: number;
  /** connections of the mixed scenarios (Roster and bare alike) */
  mixedConnections: number;
  /** share of writes in the mixed scenarios' pools */
  writeShare: number;
  /** send every pooled request once before loading (not only one of each kind) */
  checkPools: boolean;
  scenarioKeys: Set<ScenarioKey>;
  /** scenarios that also get the Fastify baseline (at the smallest N of the first dialect) */
  fastifyKeys: Set<ScenarioKey>;
  prism: boolean;
  coldStart: boolean;
  /** --profile DIR: each loaded Roster process writes a V8 CPU profile there when it stops */
  profileDir?: string;
  coldStartRepeats: number;
}

const scenarios: Scenario[] = [...mixedScenarios, ...sizedScenarios];
const ALL_KEYS = scenarios.map((s) => s.key);
const MIXED_KEYS = new Set(mixedScenarios.map((s) => s.key));
/**
 * The mixed dataset's servers: one for the scenarios that leave the data as they found it, and one
 * (on its own copy of the dataset) for each scenario that grows it.
 */
function mixedGroups(keys: Set<ScenarioKey>): { keys: ScenarioKey[]; label?: string }[] {
  const selected = mixedScenarios.filter((s) => keys.has(s.key));
  const shared = selected.filter((s) => !s.ownServer).map((s) => s.key);
  return [...(shared.length > 0 ? [{ keys: shared }] : []), ...selected.filter((s) => s.ownServer).map((s) => ({ keys: [s.key], label: s.key }))];
}
/** the N of the mixed dataset's rows: its B2B company users */
const MIXED_N = mixedShape.companies * mixedShape.usersPerCompany;

function parseOptions(argv: string[]): Options {
  const quick = argv.includes('--quick');
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const list = (name: string) => value(name)?.split(',').map((s) => s.trim()).filter(Boolean);
  const known = new Set([
    '--quick', '--dialects', '--sizes', '--duration', '--warmup', '--rounds', '--connections', '--mixed-connections', '--write-share', '--check-pools',
    '--scenarios', '--no-prism', '--no-cold-start', '--profile', '--help',
  ]);
  const flags = new Set(['--quick', '--check-pools', '--no-prism', '--no-cold-start', '--help']);
  for (const [i, a] of argv.entries()) {
    if (a.startsWith('--') && !known.has(a)) throw new Error(`unknown option ${a} (see bench/README.md)`);
    const previous = argv[i - 1] ?? '';
    if (!a.startsWith('--') && (!known.has(previous) || flags.has(previous))) throw new Error(`unexpected argument ${a}`);
  }
  const quickKeys: ScenarioKey[] = [...MIXED_KEYS, 'rest-list', 'rest-deep-offset', 'account-users', 'b2b-users'];
  const keys = (list('--scenarios') as ScenarioKey[] | undefined) ?? (quick ? quickKeys : ALL_KEYS);
  for (const k of keys) if (!ALL_KEYS.includes(k)) throw new Error(`unknown scenario ${k}; known: ${ALL_KEYS.join(', ')}`);
  const dialects = list('--dialects') as DialectName[] | undefined;
  for (const d of dialects ?? []) if (d !== 'sqlite' && d !== 'postgres') throw new Error(`unknown dialect ${d}`);
  const sizes = (list('--sizes') ?? (quick ? ['1000'] : ['1000', '100000', '1000000'])).map((s) => Number(s.replace(/_/g, '')));
  for (const n of sizes) if (!Number.isInteger(n) || n < 20) throw new Error(`--sizes: each N must be a whole number ≥ 20, got ${n}`);
  const number = (name: string, fallback: number) => {
    const v = value(name);
    if (v === undefined) return fallback;
    const parsed = Number(v);
    if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`${name} must be a positive number`);
    return parsed;
  };
  const writeShareText = value('--write-share');
  const writeShare = writeShareText === undefined ? 0.1 : Number(writeShareText);
  if (!Number.isFinite(writeShare) || writeShare < 0 || writeShare > 0.9) throw new Error('--write-share must be a number from 0 to 0.9 (e.g. 0.1 = 10% writes)');
  const rounds = Math.round(number('--rounds', 3));
  if (rounds < 3) throw new Error('--rounds: at least 3 (each scenario is repeated at least 3 times)');
  return {
    mode: quick ? 'quick' : 'full',
    dialects: dialects ?? (quick ? ['sqlite'] : undefined),
    sizes: [...new Set(sizes)].sort((a, b) => a - b),
    durationSeconds: number('--duration', quick ? 1.5 : 4),
    warmupSeconds: number('--warmup', quick ? 0.5 : 1),
    rounds,
    connections: Math.round(number('--connections', 50)),
    mixedConnections: Math.round(number('--mixed-connections', 32)),
    writeShare,
    checkPools: argv.includes('--check-pools'),
    scenarioKeys: new Set(keys),
    fastifyKeys: new Set(quick ? ['rest-list'] : keys),
    prism: !argv.includes('--no-prism'),
    coldStart: !argv.includes('--no-cold-start'),
    ...(value('--profile') !== undefined ? { profileDir: resolvePath(value('--profile') as string) } : {}),
    coldStartRepeats: quick ? 2 : 5,
  };
}

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function rosterArgs(port: number, databaseUrl: string, extra: string[] = []): string[] {
  return [
    distMain, 'serve', '--port', String(port), '--database', databaseUrl, ...extra,
    '--account-rate-limit', 'off', '--b2b-rate-limit', 'off', '--log-level', 'warn',
  ];
}

// ------------------------------------------------------------------------------- cold start

async function measureColdStart(options: Options, tmp: string): Promise<ColdStartRecord> {
  const record: ColdStartRecord = { seededMs: [], existingMs: [], seededCpuMs: [], existingCpuMs: [], inProcess: [] };
  for (let i = 0; i < options.coldStartRepeats; i++) {
    const file = join(tmp, `cold-${i}.db`);
    const url = `sqlite:${file}`;
    for (const seeded of [true, false]) {
      const port = await freePort();
      const server = await startServer({
        label: 'roster cold start',
        command: process.execPath,
        args: rosterArgs(port, url, seeded ? ['--seed', join(repoRoot, 'fixtures', 'demo.json')] : []),
        port,
        readyPath: '/healthz',
        cwd: repoRoot,
      });
      (seeded ? record.seededMs : record.existingMs).push(server.startupMs);
      if (server.startupCpuMs !== undefined) (seeded ? record.seededCpuMs : record.existingCpuMs).push(server.startupCpuMs);
      await server.stop();
    }
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    record.inProcess.push(await runInProcess());
  }
  return record;
}

function runInProcess(): Promise<InProcessRecord> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(benchBuildDir, 'in-process.js')], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`in-process measurement failed (${code}): ${err.trim().split('\n').slice(-3).join(' | ')}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as InProcessRecord);
      } catch (error) {
        reject(error as Error);
      }
    });
  });
}

// ------------------------------------------------------------------------------- peer

interface Peer {
  server: RunningServer;
  dir: string;
}

/**
 * Prism mocking the published storefront company.yaml. The file is read where it lies; its one
 * remote `$ref` (an extra-fields model on raw.githubusercontent.com, not used by /users) is
 * replaced by `type: object` in a temporary copy so Prism starts offline.
 */
async function startPrism(tmp: string, notes: string[]): Promise<Peer | undefined> {
  if (!existsSync(companySpecPath)) {
    notes.push(`Prism skipped: ${companySpecPath} is absent`);
    log(notes[notes.length - 1] as string);
    return undefined;
  }
  if (!existsSync(prismBin)) {
    notes.push('Prism skipped: node_modules/.bin/prism is not installed');
    return undefined;
  }
  const dir = mkdtempSync(join(tmp, 'prism-'));
  const spec = join(dir, 'company.yaml');
  const text = readFileSync(companySpecPath, 'utf8');
  const remote = /\$ref:\s*['"]?https?:\/\/[^\s'"]+['"]?/g;
  const count = (text.match(remote) ?? []).length;
  writeFileSync(spec, text.replace(remote, 'type: object'));
  const port = await freePort();
  try {
    const server = await startServer({
      label: 'Prism 5 mock',
      command: prismBin,
      args: ['mock', '-p', String(port), '-h', '127.0.0.1', '-v', 'silent', spec],
      port,
      readyPath: '/users?limit=10&role=0',
      readyHeaders: { authorization: 'Bearer x' },
      timeoutMs: 60_000,
      cwd: repoRoot,
    });
    notes.push(
      `Prism ${prismVersion()} mocks ${companySpecPath} (-v silent, single process${count > 0 ? `; ${count} remote $ref replaced by \`type: object\` so it starts offline` : ''}); it serves GET /users?limit=10&role=0 (role is required by the spec)`,
    );
    return { server, dir };
  } catch (error) {
    notes.push(`Prism skipped: ${(error as Error).message.slice(0, 200)}`);
    return undefined;
  }
}

function prismVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(repoRoot, 'node_modules', '@stoplight', 'prism-cli', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

// ------------------------------------------------------------------------------- one dataset

interface Target {
  role: 'roster' | 'bare' | 'fastify' | 'prism';
  spec: LoadSpec;
}

/** The receiver's count of deliveries so far. */
async function receivedCount(receiverUrl: string): Promise<{ received: number; connections: number }> {
  return (await (await fetch(`${receiverUrl}/count`)).json()) as { received: number; connections: number };
}

/**
 * One Roster run of a scenario with hooks: the receiver's count before and after the load, then
 * `POST /_roster/webhooks/drain` (waits until nothing is due or in flight) and the count again. Every
 * successful write changes one user (one `store/company/user/updated`), so `hooks` deliveries are owed per
 * write; what the receiver lacks after the drain is missing. Deliveries left over from before (the
 * prepare's probes) are drained first, so they are not counted.
 */
async function measureDeliveries(rosterUrl: string, receiverUrl: string, hooks: number, runLoad: () => Promise<LoadResult>): Promise<{ result: LoadResult; webhooks: WebhookRoundRecord }> {
  const drain = async () => {
    const response = await fetch(`${rosterUrl}/_roster/webhooks/drain`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ timeoutMs: 120_000 }) });
    const text = await response.text();
    if (!response.ok) throw new Error(`POST /_roster/webhooks/drain: HTTP ${response.status} ${text.slice(0, 200)}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  await drain();
  const before = await receivedCount(receiverUrl);
  const result = await runLoad();
  const atEnd = await receivedCount(receiverUrl);
  const started = performance.now();
  const answer = await drain();
  const drainMs = performance.now() - started;
  const afterDrain = await receivedCount(receiverUrl);
  return {
    result,
    webhooks: {
      expected: (result.writesOk ?? 0) * hooks,
      duringLoad: atEnd.received - before.received,
      afterDrain: afterDrain.received - before.received,
      // the receiver's own GET /count requests open one connection each (fetch without reuse at most)
      connections: afterDrain.connections - before.connections,
      drainMs,
      loadSeconds: result.durationSeconds,
      drain: answer,
    },
  };
}

function summarizeDeliveries(record: ScenarioRecord, hooks: number): void {
  const rounds = record.rounds.map((r) => r.webhooks).filter((w): w is WebhookRoundRecord => w !== undefined);
  if (rounds.length === 0) return;
  const expected = rounds.reduce((s, w) => s + w.expected, 0);
  const received = rounds.reduce((s, w) => s + w.afterDrain, 0);
  const missing = rounds.reduce((s, w) => s + Math.max(0, w.expected - w.afterDrain), 0);
  const summary = {
    hooks,
    deliveriesPerSecond: median(rounds.map((w) => w.duringLoad / w.loadSeconds)),
    owedPerSecond: median(rounds.map((w) => w.expected / w.loadSeconds)),
    drainMs: median(rounds.map((w) => w.drainMs)),
    backlogAtEnd: median(rounds.map((w) => w.expected - w.duringLoad)),
    expected,
    received,
    missing,
  };
  record.webhooks = summary;
  const extra = received > expected ? ` (${received - expected} more than owed)` : '';
  const text = `webhooks: ${summary.deliveriesPerSecond.toFixed(0)} deliveries/s received during the load of ${summary.owedPerSecond.toFixed(0)}/s owed; backlog at the load's end ${summary.backlogAtEnd.toFixed(0)}, drained in ${summary.drainMs.toFixed(0)} ms (medians); ${received}/${expected} delivered after the drains, ${missing} missing${extra}`;
  record.note = `${record.note ? `${record.note}; ` : ''}${text}`;
}

async function runDataset(
  run: RunRecord,
  options: Options,
  load: LoadGenerator,
  dialect: DialectName,
  n: number,
  context: {
    tmp: string;
    postgresUrl: string | undefined;
    isBase: boolean;
    mixed: boolean;
    withFastify: boolean;
    prism: Peer | undefined;
    /** only these scenarios (a server of their own: see mixedGroups) */
    only?: ScenarioKey[];
    /** names that server's database, process and logs */
    label?: string;
  },
): Promise<void> {
  const selected = scenarios.filter(
    (s) =>
      options.scenarioKeys.has(s.key) &&
      (context.only === undefined || context.only.includes(s.key)) &&
      (context.mixed ? s.dataset === 'mixed' : s.dataset !== 'mixed' && (s.list || context.isBase)),
  );
  if (selected.length === 0) return;
  const dataset = context.mixed ? 'mixed' : undefined;
  const suffix = context.label ? ` (${context.label})` : '';
  const where = context.mixed ? `${dialect} mixed${suffix}` : `${dialect} N=${n.toLocaleString('en-US')}`;
  const fileTag = `${context.mixed ? 'mixed' : n}${context.label ? `-${context.label}` : ''}`;
  const connections = context.mixed ? options.mixedConnections : options.connections;
  const database = await createBenchDatabase(dialect, {
    dir: context.tmp,
    name: context.mixed ? `${dialect}_mixed${context.label ? `_${context.label}` : ''}` : `${dialect}_${n}`,
    postgresUrl: context.postgresUrl,
  });
  const removeCleanup = onCleanup(() => database.drop());
  const servers: { server: RunningServer; role: 'roster' | 'bare' | 'fastify' | 'webhook receiver' }[] = [];
  try {
    let firstCompanyUserId: number;
    let mixed: MixedDataset | undefined;
    if (context.mixed) {
      mixed = await seedMixedDatabase(database.url);
      firstCompanyUserId = mixed.companies[0]?.users[0]?.id ?? 0;
      run.generation.push({ dialect, n, ms: mixed.ms, cpuMs: mixed.cpuMs, rows: mixed.rowsWritten, dataset: 'mixed', ...(context.label ? { label: context.label } : {}) });
      log(`${where}: ${mixed.rowsWritten.toLocaleString('en-US')} rows in ${(mixed.ms / 1000).toFixed(1)} s`);
    } else {
      const generated = await seedBenchDatabase(database.url, n, { label: `bench: ${where}` });
      firstCompanyUserId = generated.firstCompanyUserId;
      run.generation.push({ dialect, n, ms: generated.ms, cpuMs: generated.cpuMs, rows: generated.rowsWritten });
    }

    // the destination of the scenarios' hooks, started like the baselines (its own process)
    let receiver: RunningServer | undefined;
    if (selected.some((s) => s.webhooks)) {
      const receiverPort = await freePort();
      receiver = await startServer({
        label: 'webhook receiver (node:http)',
        command: process.execPath,
        args: [join(benchBuildDir, 'servers', 'webhook-receiver.js'), '--port', String(receiverPort)],
        port: receiverPort,
        readyPath: '/healthz',
        cwd: repoRoot,
      });
      servers.push({ server: receiver, role: 'webhook receiver' });
    }

    const port = await freePort();
    const roster = await startServer({
      label: context.mixed ? `roster ${dialect} mixed${suffix}` : `roster ${dialect} N=${n}`,
      command: process.execPath,
      args: [...(options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : []), ...rosterArgs(port, database.url)],
      port,
      readyPath: '/healthz',
      cwd: repoRoot,
      timeoutMs: 600_000,
    });
    servers.push({ server: roster, role: 'roster' });
    const ctx: ServerContext = {
      baseUrl: roster.baseUrl,
      n,
      firstCompanyUserId,
      b2bToken: await obtainB2bToken(roster.baseUrl),
      connections,
      writeShare: options.writeShare,
      checkPools: options.checkPools,
      ...(mixed ? { mixed: await signInMixedAdmins(roster.baseUrl, mixed) } : {}),
      ...(receiver ? { webhookDestination: `${receiver.baseUrl}/hooks` } : {}),
    };

    const prepared: { record: ScenarioRecord; load: PreparedLoad; body: string }[] = [];
    const records: ScenarioRecord[] = [];
    for (const scenario of selected) {
      const record: ScenarioRecord = {
        key: scenario.key,
        title: scenario.title,
        dialect,
        n,
        ...(dataset ? { dataset } : {}),
        connections,
        informational: scenario.informational === true,
        status: 'ok',
        rounds: [],
      };
      run.scenarios.push(record);
      records.push(record);
      try {
        const p = await scenario.prepare(ctx);
        if (!p.ok) {
          record.status = 'not available';
          record.reason = p.reason;
          continue;
        }
        record.responseBytes = Buffer.byteLength(p.responseBody);
        if (p.note) record.note = p.note;
        if (p.perRequest) record.perRequest = p.perRequest;
        prepared.push({ record, load: p.load, body: p.responseBody });
      } catch (error) {
        record.status = 'not available';
        record.reason = (error as Error).message;
      }
    }
    for (const r of records.filter((s) => s.status !== 'ok')) {
      log(`${r.key} (${where}): ${r.status}: ${r.reason?.slice(0, 300)}`);
    }
    if (prepared.length === 0) return;

    // the baselines serve each scenario's real response bytes at /b/<key>
    const bodiesFile = join(context.tmp, `bodies-${dialect}-${fileTag}.json`);
    writeFileSync(bodiesFile, JSON.stringify({ routes: prepared.map((p) => ({ path: `/b/${p.record.key}`, body: p.body })) }));
    const startBaseline = async (kind: 'bare' | 'fastify') => {
      const baselinePort = await freePort();
      const server = await startServer({
        label: kind === 'bare' ? 'bare node:http' : 'bare Fastify + response schema',
        command: process.execPath,
        args: [join(benchBuildDir, 'servers', 'baseline-server.js'), '--kind', kind, '--port', String(baselinePort), '--bodies', bodiesFile],
        port: baselinePort,
        readyPath: '/healthz',
        cwd: repoRoot,
      });
      servers.push({ server, role: kind });
      return server;
    };
    const bare = await startBaseline('bare');
    const fastify = context.withFastify && prepared.some((p) => options.fastifyKeys.has(p.record.key as ScenarioKey)) ? await startBaseline('fastify') : undefined;

    const spec = (baseUrl: string, l: PreparedLoad, overrides: Partial<LoadSpec> = {}): LoadSpec => ({
      ...l,
      baseUrl,
      connections,
      durationSeconds: options.durationSeconds,
      ...overrides,
    });
    const hooksOf = new Map(selected.filter((s) => s.webhooks).map((s) => [s.key as string, s.webhooks?.hooks ?? 0]));
    /** runs a load; for Roster in a scenario with hooks, also counts the deliveries it caused (drained after it) */
    const runTarget = async (key: string, t: Target, durationSeconds?: number): Promise<{ result: LoadResult; webhooks?: WebhookRoundRecord }> => {
      const spec = durationSeconds === undefined ? t.spec : { ...t.spec, durationSeconds };
      const hooks = hooksOf.get(key);
      if (t.role !== 'roster' || hooks === undefined || !receiver) return { result: await load.run(spec) };
      return measureDeliveries(roster.baseUrl, receiver.baseUrl, hooks, () => load.run(spec));
    };
    const plan = prepared.map((p) => {
      const baselineLoad = (server: RunningServer) =>
        spec(server.baseUrl, p.load, {
          kind: 'simple',
          path: `/b/${p.record.key}`,
          ...(p.load.kind === 'create-delete' ? { body: p.load.bodyTemplate?.replace('{{n}}', 'baseline') } : {}),
          pool: undefined,
        });
      const targets: Target[] = [
        { role: 'roster', spec: spec(roster.baseUrl, p.load) },
        { role: 'bare', spec: baselineLoad(bare) },
      ];
      if (fastify && options.fastifyKeys.has(p.record.key as ScenarioKey)) targets.push({ role: 'fastify', spec: baselineLoad(fastify) });
      if (context.prism && p.record.key === 'rest-list' && !('error' in ctx.b2bToken)) {
        targets.push({
          role: 'prism',
          spec: spec(context.prism.server.baseUrl, p.load, {
            kind: 'simple',
            method: 'GET',
            path: '/users?limit=10&role=0',
            headers: { authorization: `Bearer ${ctx.b2bToken.token}` },
          }),
        });
      }
      return { ...p, targets };
    });

    log(`${where}: ${plan.map((p) => p.record.key).join(', ')} (${options.rounds} rounds × ${plan.reduce((s, p) => s + p.targets.length, 0)} runs of ${options.durationSeconds} s, c=${connections})`);
    for (const p of plan) for (const t of p.targets) await runTarget(p.record.key, t, options.warmupSeconds);
    for (let round = 0; round < options.rounds; round++) {
      for (const p of plan) {
        // alternate who goes first, so a slow drift of the machine does not favour one side
        const order = round % 2 === 0 ? p.targets : [...p.targets].reverse();
        const results: Partial<RoundRecord> = {};
        for (const t of order) {
          const { result, webhooks } = await runTarget(p.record.key, t);
          results[t.role] = result;
          if (webhooks) results.webhooks = webhooks;
        }
        p.record.rounds.push(results as RoundRecord);
      }
      log(`${where}: round ${round + 1}/${options.rounds} done`);
    }
    if (roster.hasExited()) {
      for (const p of plan) {
        p.record.status = 'failed';
        p.record.reason = `the server exited during the run: ${roster.output().trim().split('\n').slice(-3).join(' | ')}`;
      }
    }
    const load1m = loadavg()[0];
    for (const p of plan) {
      p.record.loadAverage = load1m;
      summarize(p.record);
      const hooks = hooksOf.get(p.record.key);
      if (hooks !== undefined) summarizeDeliveries(p.record, hooks);
      if ((p.record.failedRequests ?? 0) > 0) {
        const codes = p.record.rounds.map((r) => JSON.stringify(r.roster.statusCodes)).join(' ');
        const graphqlErrors = p.record.rounds.map((r) => r.roster.mismatches ?? 0);
        const withErrors = graphqlErrors.some((n) => n > 0) ? `; 2xx with GraphQL errors per round ${graphqlErrors.join(' ')}` : '';
        p.record.note = `${p.record.note ? `${p.record.note}; ` : ''}status codes per round ${codes}${withErrors}`;
      }
    }
  } finally {
    for (const { server, role } of servers.reverse()) {
      const memory = await server.stop();
      run.servers.push({
        label: server.label,
        role,
        dialect,
        n,
        ...(dataset ? { dataset } : {}),
        startupMs: server.startupMs,
        startupCpuMs: server.startupCpuMs,
        peakRssMb: memory?.peakMb,
      });
    }
    await database.drop().catch(() => undefined);
    removeCleanup();
  }
}

// ------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    process.stdout.write(readFileSync(join(repoRoot, 'bench', 'README.md'), 'utf8'));
    return;
  }
  const options = parseOptions(argv);
  if (!existsSync(distMain)) throw new Error(`${distMain} is missing: run npm run build first (npm run bench does)`);
  const started = performance.now();
  const notes: string[] = [];
  const run: RunRecord = {
    meta: {
      startedAt: new Date().toISOString(),
      mode: options.mode,
      node: process.version,
      cpus: cpus().length,
      loadAverageAtStart: loadavg(),
      gitCommit: gitCommit(),
      connections: options.connections,
      mixedConnections: options.mixedConnections,
      writeShare: options.writeShare,
      durationSeconds: options.durationSeconds,
      warmupSeconds: options.warmupSeconds,
      rounds: options.rounds,
      sizes: options.sizes,
      dialects: [],
      notes,
    },
    generation: [],
    servers: [],
    scenarios: [],
    targets: [],
  };
  const tmp = mkdtempSync(join(tmpdir(), 'roster-bench-'));
  onCleanup(async () => rmSync(tmp, { recursive: true, force: true }));

  let postgresUrl: string | undefined;
  const wantPostgres = options.dialects === undefined || options.dialects.includes('postgres');
  if (wantPostgres) {
    const found = await findPostgres();
    postgresUrl = found.url;
    notes.push(found.note);
    log(found.note);
  }
  const dialects: DialectName[] = (options.dialects ?? ['sqlite', 'postgres']).filter((d) => d === 'sqlite' || postgresUrl !== undefined);
  run.meta.dialects = dialects;

  const load = startLoadGenerator();
  try {
    // first, on a machine this run has not loaded yet
    if (options.coldStart) {
      log('cold start...');
      run.coldStart = await measureColdStart(options, tmp);
    }
    const wantMixed = [...options.scenarioKeys].some((k) => MIXED_KEYS.has(k));
    let prismStarting: Promise<Peer | undefined> = Promise.resolve(undefined);
    let prism: Peer | undefined;
    for (const [d, dialect] of dialects.entries()) {
      // the mixed dataset first: its rows lead the report, and nothing else is loading the machine yet
      // (scenarios that grow the data get a copy of the dataset and a server of their own, after the others)
      for (const group of wantMixed ? mixedGroups(options.scenarioKeys) : []) {
        await runDataset(run, options, load, dialect, MIXED_N, {
          tmp,
          postgresUrl,
          isBase: false,
          mixed: true,
          withFastify: false,
          prism: undefined,
          only: group.keys,
          ...(group.label ? { label: group.label } : {}),
        });
      }
      // Prism needs seconds to start: it boots while the first N-user dataset is generated
      if (d === 0 && options.prism && options.scenarioKeys.has('rest-list')) prismStarting = startPrism(tmp, notes);
      for (const [i, n] of options.sizes.entries()) {
        const first = d === 0 && i === 0;
        if (first) prism = await prismStarting;
        await runDataset(run, options, load, dialect, n, { tmp, postgresUrl, isBase: i === 0, mixed: false, withFastify: first, prism: first ? prism : undefined });
        if (first && prism) {
          const memory = await prism.server.stop();
          run.servers.push({ label: prism.server.label, role: 'prism', startupMs: prism.server.startupMs, startupCpuMs: prism.server.startupCpuMs, peakRssMb: memory?.peakMb });
          prism = undefined;
        }
      }
    }
  } finally {
    await load.close();
    await cleanupAll();
  }

  run.meta.finishedAt = new Date().toISOString();
  run.meta.totalSeconds = (performance.now() - started) / 1000;
  run.meta.loadAverageAtEnd = loadavg();
  run.targets = evaluateTargets(run);
  mkdirSync(resultsDir, { recursive: true });
  const stamp = run.meta.startedAt.replace(/[:.]/g, '-');
  const base = join(resultsDir, `bench-${options.mode}-${stamp}`);
  const markdown = renderMarkdown(run);
  writeFileSync(`${base}.json`, `${JSON.stringify(run, null, 2)}\n`);
  writeFileSync(`${base}.md`, markdown);
  writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(run, null, 2)}\n`);
  writeFileSync(join(resultsDir, 'latest.md'), markdown);
  process.stdout.write(markdown);
  process.stdout.write(renderSummary(run));
  process.stdout.write(`\nWritten: ${base}.json and .md (also bench/results/latest.*); whole run ${run.meta.totalSeconds.toFixed(0)} s\n`);
}

main().catch(async (error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).message}\n`);
  await cleanupAll();
  process.exit(1);
});
