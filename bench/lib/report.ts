import type { DialectName } from '../../src/db/database.js';
import type { LoadResult } from './load-types.js';
import type { Figure, RunRecord, ScenarioRecord, TargetRecord, TargetStatus } from './records.js';

export function median(values: number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function figureOf(results: LoadResult[]): Figure | undefined {
  if (results.length === 0) return undefined;
  return {
    requestsPerSecond: median(results.map((r) => r.requestsPerSecond)),
    latencyP50Ms: median(results.map((r) => r.latencyP50Ms)),
    latencyP99Ms: median(results.map((r) => r.latencyP99Ms)),
  };
}

/** Fills the medians and ratios of a scenario from its rounds. */
export function summarize(record: ScenarioRecord): void {
  const rounds = record.rounds;
  if (rounds.length === 0) return;
  record.roster = figureOf(rounds.map((r) => r.roster));
  record.bare = figureOf(rounds.map((r) => r.bare));
  const fastify = rounds.flatMap((r) => (r.fastify ? [r] : []));
  const prism = rounds.flatMap((r) => (r.prism ? [r] : []));
  record.fastify = figureOf(fastify.map((r) => r.fastify as LoadResult));
  record.prism = figureOf(prism.map((r) => r.prism as LoadResult));
  record.ratioToBare = median(rounds.map((r) => r.roster.requestsPerSecond / r.bare.requestsPerSecond));
  if (fastify.length > 0) record.fastifyRatioToBare = median(fastify.map((r) => (r.fastify as LoadResult).requestsPerSecond / r.bare.requestsPerSecond));
  if (prism.length > 0) record.prismRatioToBare = median(prism.map((r) => (r.prism as LoadResult).requestsPerSecond / r.bare.requestsPerSecond));
  record.failedRequests = rounds.reduce((sum, r) => sum + r.roster.non2xx + r.roster.errors + (r.roster.mismatches ?? 0), 0);
  record.totalRequests = rounds.reduce((sum, r) => sum + r.roster.totalRequests, 0);
}

const n0 = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 0 });
/** two decimals; three below 0.01× (a bulk write's ratio would read 0.00×) */
const x = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : `${v.toFixed(v < 0.01 ? 3 : 2)}×`);
const ms = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : v < 10 ? v.toFixed(2) : v.toFixed(1));
const N = (n: number) => n.toLocaleString('en-US');
/** the N column: the mixed dataset has no single N */
const sizeOf = (r: { n: number; dataset?: 'mixed' }) => (r.dataset === 'mixed' ? 'mixed' : N(r.n));

/** The mixed scenarios' goals (issue #16): × bare per database. */
export const mixedTargets: { key: string; description: string; sqlite: number; postgres: number }[] = [
  { key: 'mixed-rest-reads', description: 'Mixed B2B REST reads', sqlite: 0.3, postgres: 0.18 },
  { key: 'mixed-rest-writes', description: 'Mixed B2B REST + writes', sqlite: 0.25, postgres: 0.15 },
  { key: 'mixed-b2b-graphql', description: 'Mixed B2B GraphQL + writes', sqlite: 0.2, postgres: 0.12 },
  { key: 'mixed-account-graphql', description: 'Mixed Account GraphQL + writes', sqlite: 0.2, postgres: 0.12 },
];

/** Mixed rows first (the load closest to real traffic), then the rest in run order. */
export function reportOrder<T extends { dataset?: 'mixed' }>(rows: T[]): T[] {
  return [...rows.filter((r) => r.dataset === 'mixed'), ...rows.filter((r) => r.dataset !== 'mixed')];
}

function ok(records: ScenarioRecord[], key: string, dialect: DialectName): ScenarioRecord[] {
  return records.filter((r) => r.key === key && r.dialect === dialect && r.status === 'ok' && r.ratioToBare !== undefined);
}

function statusOf(values: boolean[]): TargetStatus {
  if (values.length === 0) return 'not measured';
  return values.every(Boolean) ? 'met' : 'missed';
}

/** Evaluates the issue's targets from the figures of one run. */
export function evaluateTargets(run: RunRecord): TargetRecord[] {
  const targets: TargetRecord[] = [];
  const dialects = run.meta.dialects;
  const unavailable = (key: string) =>
    run.scenarios.filter((r) => r.key === key && r.status !== 'ok').map((r) => `${r.dialect} N=${sizeOf(r)}: ${r.status}${r.reason ? ` (${r.reason.slice(0, 120)})` : ''}`);

  // mixed traffic first: a goal per database
  for (const target of mixedTargets) {
    const details: string[] = [];
    const checks: boolean[] = [];
    for (const dialect of dialects) {
      const threshold = target[dialect];
      for (const r of ok(run.scenarios, target.key, dialect)) {
        const failed = r.failedRequests ?? 0;
        checks.push((r.ratioToBare as number) >= threshold && failed === 0);
        details.push(
          `${dialect}: ${x(r.ratioToBare)} (goal ≥ ${threshold.toFixed(2)}×), ${n0(r.roster?.requestsPerSecond ?? Number.NaN)} req/s, p99 ${ms(r.roster?.latencyP99Ms)} ms${failed > 0 ? `; ${failed} failed requests under load` : ''}`,
        );
      }
    }
    if (checks.length === 0) details.push(...unavailable(target.key));
    const share = run.meta.writeShare ?? 0.1;
    const described = target.key === 'mixed-rest-reads' ? target.description : `${target.description} (${Number((share * 100).toFixed(1))}%)`;
    targets.push({
      id: target.key,
      description: `${described} ≥ ${target.sqlite.toFixed(2)}× bare (SQLite) / ≥ ${target.postgres.toFixed(2)}× (PostgreSQL)`,
      status: statusOf(checks),
      details,
    });
  }

  const ratioTarget = (id: string, key: string, description: string, threshold: number) => {
    const details: string[] = [];
    const checks: boolean[] = [];
    for (const dialect of dialects) {
      const rows = ok(run.scenarios, key, dialect);
      if (rows.length === 0) continue;
      const worst = rows.reduce((a, b) => ((a.ratioToBare as number) <= (b.ratioToBare as number) ? a : b));
      const failed = rows.reduce((s, r) => s + (r.failedRequests ?? 0), 0);
      checks.push((worst.ratioToBare as number) >= threshold && failed === 0);
      details.push(
        `${dialect}: ${rows.map((r) => `${x(r.ratioToBare)} at N=${N(r.n)}`).join(', ')}; worst ${x(worst.ratioToBare)}${failed > 0 ? `; ${failed} failed requests under load` : ''}`,
      );
    }
    if (checks.length === 0) details.push(...unavailable(key));
    targets.push({ id, description, status: statusOf(checks), details });
  };
  ratioTarget('rest-list', 'rest-list', 'REST list ≥ 0.35× bare', 0.35);
  ratioTarget('account-users', 'account-users', 'Account GraphQL users page ≥ 0.30× bare', 0.3);
  ratioTarget('b2b-users', 'b2b-users', 'B2B GraphQL users page ≥ 0.30× bare', 0.3);

  {
    // cost of a page = 1 / (× bare): bare-normalised so that drift between datasets cancels out
    const details: string[] = [];
    const checks: boolean[] = [];
    // the page at N=1,000 (or the smallest N measured below a million)
    const smallest = Math.min(...run.meta.sizes);
    for (const dialect of dialects) {
      for (const key of ['rest-list', 'account-users', 'b2b-users']) {
        const rows = ok(run.scenarios, key, dialect);
        const small = rows.find((r) => r.n === smallest);
        const big = rows.find((r) => r.n === 1_000_000);
        if (!small || !big || small.n >= big.n) continue;
        const growth = (small.ratioToBare as number) / (big.ratioToBare as number);
        checks.push(growth <= 1.5);
        details.push(`${dialect} ${key}: page at N=1,000,000 costs ${x(growth)} the page at N=${N(smallest)}`);
      }
    }
    targets.push({ id: 'scale', description: 'At N=1,000,000 a list page costs ≤ 1.5× N=1,000', status: statusOf(checks), details });
  }
  {
    const details: string[] = [];
    const checks: boolean[] = [];
    for (const dialect of dialects) {
      for (const deep of ok(run.scenarios, 'rest-deep-offset', dialect)) {
        const first = ok(run.scenarios, 'rest-list', dialect).find((r) => r.n === deep.n);
        if (!first) continue;
        const cost = (first.ratioToBare as number) / (deep.ratioToBare as number);
        checks.push(cost <= 3 && (deep.failedRequests ?? 0) === 0);
        details.push(`${dialect} N=${N(deep.n)}: deep page costs ${x(cost)} the first page`);
      }
    }
    if (checks.length === 0) details.push(...unavailable('rest-deep-offset'));
    targets.push({ id: 'deep-offset', description: 'Deep-offset page (offset = 90% of N) ≤ 3× first page', status: statusOf(checks), details });
  }
  {
    const cold = run.coldStart;
    const seeded = cold ? median(cold.seededMs) : Number.NaN;
    const existing = cold ? median(cold.existingMs) : Number.NaN;
    targets.push({
      id: 'cold-start',
      description: 'Cold start < 1 s (launch to first 200 on /healthz)',
      status: Number.isFinite(seeded) ? (seeded < 1000 ? 'met' : 'missed') : 'not measured',
      details: Number.isFinite(seeded)
        ? [
            `fresh database with --seed: ${ms(seeded)} ms (CPU ${ms(median(cold?.seededCpuMs ?? []))} ms); ` +
              `existing database: ${ms(existing)} ms (CPU ${ms(median(cold?.existingCpuMs ?? []))} ms) (medians)`,
          ]
        : [],
    });
    const app = cold ? median(cold.inProcess.map((r) => r.appMs)) : Number.NaN;
    targets.push({
      id: 'in-process',
      description: 'In-process buildApp + ready + first inject < 100 ms (in-memory SQLite)',
      status: Number.isFinite(app) ? (app < 100 ? 'met' : 'missed') : 'not measured',
      details: Number.isFinite(app)
        ? [
            `${ms(app)} ms, CPU ${ms(median(cold?.inProcess.map((r) => r.appCpuMs) ?? []))} ms (buildApp + ready ${ms(median(cold?.inProcess.map((r) => r.buildAppMs) ?? []))} ms, first inject ${ms(median(cold?.inProcess.map((r) => r.firstInjectMs) ?? []))} ms); ` +
              `not counted: module import ${ms(median(cold?.inProcess.map((r) => r.importMs) ?? []))} ms, database + demo fixture ${ms(median(cold?.inProcess.map((r) => r.databaseMs) ?? []))} ms`,
          ]
        : [],
    });
  }
  {
    const rows = run.generation.filter((g) => g.n === 1_000_000);
    const sqlite = rows.find((g) => g.dialect === 'sqlite');
    targets.push({
      id: 'generation',
      description: '1,000,000 users generated in < 30 s (SQLite)',
      status: sqlite ? (sqlite.ms < 30_000 ? 'met' : 'missed') : 'not measured',
      details: rows.map(
        (g) => `${g.dialect}: ${(g.ms / 1000).toFixed(1)} s, CPU ${(g.cpuMs / 1000).toFixed(1)} s (${N(g.rows)} rows)${g.dialect === 'postgres' ? ' (informational; the work is in the PostgreSQL server)' : ''}`,
      ),
    });
  }
  {
    const rows = run.servers.filter((s) => s.role === 'roster' && s.n === 1_000_000 && s.peakRssMb !== undefined);
    targets.push({
      id: 'rss',
      description: 'Peak RSS < 200 MB at N=1,000,000',
      status: statusOf(rows.map((s) => (s.peakRssMb as number) < 200)),
      details: rows.map((s) => `${s.dialect}: ${(s.peakRssMb as number).toFixed(0)} MB`),
    });
  }
  {
    const rows = run.scenarios.filter((r) => r.key === 'rest-list' && r.status === 'ok' && r.prism && r.roster);
    const details = rows.map(
      (r) =>
        `${r.dialect} N=${N(r.n)}: Roster ${n0(r.roster?.requestsPerSecond ?? 0)} req/s vs Prism ${n0(r.prism?.requestsPerSecond ?? 0)} req/s (${x((r.roster?.requestsPerSecond ?? 0) / (r.prism?.requestsPerSecond ?? 1))})`,
    );
    targets.push({
      id: 'prism',
      description: 'Faster than Prism on the REST list',
      status: statusOf(rows.map((r) => (r.roster?.requestsPerSecond ?? 0) > (r.prism?.requestsPerSecond ?? 0))),
      details: rows.length > 0 ? details : run.meta.notes.filter((note) => note.startsWith('Prism')),
    });
  }
  return targets;
}

export function renderMarkdown(run: RunRecord): string {
  const lines: string[] = [];
  const m = run.meta;
  lines.push(`# Roster bench (${m.mode}) — ${m.startedAt}`);
  lines.push('');
  lines.push(
    `Node ${m.node}, ${m.cpus} CPUs, load average at start ${m.loadAverageAtStart.map((v) => v.toFixed(2)).join(' ')}` +
      `${m.loadAverageAtEnd ? `, at end ${m.loadAverageAtEnd.map((v) => v.toFixed(2)).join(' ')}` : ''}; commit ${m.gitCommit ?? '?'}; ` +
      `autocannon c=${m.connections}${m.mixedConnections !== undefined ? ` (mixed scenarios c=${m.mixedConnections}, ${Number(((m.writeShare ?? 0) * 100).toFixed(1))}% writes)` : ''}, ${m.durationSeconds} s per run after ${m.warmupSeconds} s warm-up, ${m.rounds} interleaved rounds; medians.` +
      `${m.totalSeconds !== undefined ? ` Whole run ${m.totalSeconds.toFixed(0)} s.` : ''}`,
  );
  lines.push('');
  lines.push('Ratios are to a bare `node:http` server answering the same request with the same bytes, measured in the same rounds');
  lines.push('(median of per-round ratios). Numbers from one run on a shared machine: compare ratios, not req/s across runs.');
  for (const note of m.notes) lines.push(`- ${note}`);
  lines.push('');
  lines.push('## Targets');
  lines.push('');
  lines.push('| target | status | figures |');
  lines.push('|---|---|---|');
  for (const t of run.targets) lines.push(`| ${t.description} | **${t.status}** | ${t.details.join('<br>') || '–'} |`);
  lines.push('');
  lines.push('## Scenarios');
  lines.push('');
  lines.push('| scenario | db | N | req/s | p50 ms | p99 ms | bare req/s | × bare | Fastify × bare | Prism × bare | failed | bytes | load |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of reportOrder(run.scenarios)) {
    if (r.status !== 'ok') {
      lines.push(`| ${r.title} | ${r.dialect} | ${sizeOf(r)} | ${r.status}: ${(r.reason ?? '').replace(/\|/g, '\\|').slice(0, 200)} | | | | | | | | | |`);
      continue;
    }
    lines.push(
      `| ${r.title}${r.note ? ` (${r.note})` : ''}${r.informational ? ' *(info)*' : ''} | ${r.dialect} | ${sizeOf(r)} | ${n0(r.roster?.requestsPerSecond ?? Number.NaN)}${r.perRequest ? ` (${n0((r.roster?.requestsPerSecond ?? Number.NaN) * r.perRequest.count)} ${r.perRequest.name}/s)` : ''} | ${ms(r.roster?.latencyP50Ms)} | ${ms(r.roster?.latencyP99Ms)} | ${n0(r.bare?.requestsPerSecond ?? Number.NaN)} | ${x(r.ratioToBare)} | ${x(r.fastifyRatioToBare)} | ${x(r.prismRatioToBare)} | ${r.failedRequests ?? 0}/${n0(r.totalRequests ?? 0)} | ${r.responseBytes ?? ''} | ${r.loadAverage?.toFixed(1) ?? ''} |`,
    );
  }
  lines.push('');
  lines.push('## Datasets and processes');
  lines.push('');
  lines.push('| what | db | N | time | peak RSS |');
  lines.push('|---|---|---|---|---|');
  for (const g of reportOrder(run.generation)) {
    lines.push(`| ${g.dataset === 'mixed' ? `generate the mixed dataset${g.label ? ` (for ${g.label})` : ''}` : 'generate users'} | ${g.dialect} | ${sizeOf(g)} | ${(g.ms / 1000).toFixed(2)} s, CPU ${(g.cpuMs / 1000).toFixed(2)} s (${N(g.rows)} rows) | |`);
  }
  for (const s of reportOrder(run.servers)) {
    lines.push(`| ${s.label} | ${s.dialect ?? ''} | ${s.n !== undefined ? sizeOf({ n: s.n, ...(s.dataset ? { dataset: s.dataset } : {}) }) : ''} | ready in ${ms(s.startupMs)} ms${s.startupCpuMs !== undefined ? ` (CPU ${ms(s.startupCpuMs)} ms)` : ''} | ${s.peakRssMb !== undefined ? `${s.peakRssMb.toFixed(0)} MB` : '–'} |`);
  }
  if (run.coldStart) {
    const c = run.coldStart;
    lines.push('');
    lines.push('## Cold start');
    lines.push('');
    lines.push(
      `- process launch to first 200 on /healthz, fresh SQLite file with --seed: ${c.seededMs.map(ms).join(', ')} ms (median ${ms(median(c.seededMs))}; CPU median ${ms(median(c.seededCpuMs))} ms)`,
    );
    lines.push(
      `- the same, database already seeded: ${c.existingMs.map(ms).join(', ')} ms (median ${ms(median(c.existingMs))}; CPU median ${ms(median(c.existingCpuMs))} ms)`,
    );
    for (const [i, p] of c.inProcess.entries()) {
      lines.push(
        `- in-process #${i + 1}: import ${ms(p.importMs)} ms, in-memory database + demo fixture ${ms(p.databaseMs)} ms, buildApp + ready ${ms(p.buildAppMs)} ms, ` +
          `first inject ${ms(p.firstInjectMs)} ms (app CPU ${ms(p.appCpuMs)} ms), first Account GraphQL query ${ms(p.firstAccountQueryMs)} ms${p.firstAccountQueryOk ? '' : ' (not available)'}` +
          (p.forkMs && p.forkMs.length > 0 ? `, fork of the demo world ${ms(median(p.forkMs))} ms (median of ${p.forkMs.length})` : ''),
      );
    }
  }
  lines.push('');
  return lines.join('\n');
}

export function renderSummary(run: RunRecord): string {
  const lines = ['', `Roster bench (${run.meta.mode}): targets`];
  for (const t of run.targets) {
    const mark = t.status === 'met' ? 'MET   ' : t.status === 'missed' ? 'MISSED' : 'n/a   ';
    lines.push(`  ${mark} ${t.description}`);
    for (const d of t.details) lines.push(`           ${d}`);
  }
  const unavailable = run.scenarios.filter((r) => r.status !== 'ok');
  if (unavailable.length > 0) {
    lines.push('  Not measured:');
    for (const r of unavailable) lines.push(`    ${r.key} (${r.dialect}, N=${sizeOf(r)}): ${r.status}${r.reason ? `: ${r.reason.slice(0, 160)}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
