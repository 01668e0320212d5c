import type { DialectName } from '../../src/db/database.js';
import type { LoadResult } from './load-types.js';

/** Everything one bench run measured; written as JSON and rendered as markdown. */

export interface Figure {
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
}

/** Webhook deliveries around one Roster run of a scenario with hooks (run.ts measureDeliveries). */
export interface WebhookRoundRecord {
  /** successful writes of the run × hooks: the deliveries owed (each write changes one user: one event) */
  expected: number;
  /** deliveries the receiver got while the load ran (from its start to its end) */
  duringLoad: number;
  /** deliveries the receiver got from the load's start until POST /_roster/webhooks/drain answered */
  afterDrain: number;
  /** TCP connections the receiver accepted meanwhile (Roster's deliveries and the bench's own count requests) */
  connections: number;
  /** the drain's wall time: how far delivery lagged behind the writes when the load stopped */
  drainMs: number;
  loadSeconds: number;
  /** the drain's answer (attempted, succeeded, failed, pending, timedOut, ...) */
  drain: Record<string, unknown>;
}

export interface RoundRecord {
  roster: LoadResult;
  webhooks?: WebhookRoundRecord;
  bare: LoadResult;
  fastify?: LoadResult;
  prism?: LoadResult;
}

export interface ScenarioRecord {
  key: string;
  title: string;
  dialect: DialectName;
  n: number;
  /** 'mixed': the mixed dataset (n = its company users); absent: the N-user dataset */
  dataset?: 'mixed';
  /** load connections (the mixed scenarios have their own count) */
  connections?: number;
  informational: boolean;
  status: 'ok' | 'not available' | 'failed';
  reason?: string;
  note?: string;
  responseBytes?: number;
  /** things one request handles (a bulk create's users): `perRequest.count × req/s` of them per second */
  perRequest?: { count: number; name: string };
  rounds: RoundRecord[];
  roster?: Figure;
  bare?: Figure;
  fastify?: Figure;
  prism?: Figure;
  /** median over rounds of roster req/s ÷ bare req/s of the same round */
  ratioToBare?: number;
  fastifyRatioToBare?: number;
  prismRatioToBare?: number;
  /** 1-minute load average of the machine right after the rounds (2 CPUs: above ~3 means contended) */
  loadAverage?: number;
  /** non-2xx responses, socket errors and (GraphQL pools) 2xx answers with `errors` under load, summed over rounds */
  failedRequests?: number;
  totalRequests?: number;
  /** scenarios with hooks: medians over rounds, sums of what was owed and missing */
  webhooks?: {
    hooks: number;
    /** median over rounds of deliveries received during the load ÷ load seconds */
    deliveriesPerSecond: number;
    /** median over rounds of expected deliveries per second (successful writes/s × hooks) */
    owedPerSecond: number;
    /** median over rounds of the drain's wall time after the load stopped */
    drainMs: number;
    /** median over rounds of the deliveries still owed when the load stopped */
    backlogAtEnd: number;
    expected: number;
    received: number;
    /** owed but not received after the drain, summed over rounds (should be 0) */
    missing: number;
  };
}

export interface GenerationRecord {
  dialect: DialectName;
  n: number;
  dataset?: 'mixed';
  /** a copy of the dataset for one scenario's own server (run.ts mixedGroups) */
  label?: string;
  ms: number;
  /** CPU time of the generating process (on PostgreSQL most work is in the server) */
  cpuMs: number;
  rows: number;
}

export interface ServerRecord {
  label: string;
  role: 'roster' | 'bare' | 'fastify' | 'prism' | 'webhook receiver';
  dialect?: DialectName;
  n?: number;
  dataset?: 'mixed';
  startupMs: number;
  startupCpuMs?: number;
  peakRssMb?: number;
}

export interface ColdStartRecord {
  /** fresh SQLite file with --seed fixtures/demo.json: launch to first 200 on /healthz */
  seededMs: number[];
  /** the same file again, already seeded */
  existingMs: number[];
  /** CPU time of the server process until ready (user + system), ms */
  seededCpuMs: number[];
  existingCpuMs: number[];
  inProcess: InProcessRecord[];
}

export interface InProcessRecord {
  importMs: number;
  databaseMs: number;
  buildAppMs: number;
  firstInjectMs: number;
  appMs: number;
  /** CPU time of buildApp + ready + first inject, ms */
  appCpuMs: number;
  firstAccountQueryMs: number;
  firstAccountQueryOk: boolean;
  /** POST /_roster/forks of the demo world (after one warm-up), in-memory SQLite */
  forkMs?: number[];
}

export type TargetStatus = 'met' | 'missed' | 'not measured';

export interface TargetRecord {
  id: string;
  description: string;
  status: TargetStatus;
  /** one line per measured case, e.g. "sqlite: min 0.41× (N=1,000)" */
  details: string[];
}

export interface RunRecord {
  meta: {
    startedAt: string;
    finishedAt?: string;
    totalSeconds?: number;
    mode: 'quick' | 'full';
    node: string;
    cpus: number;
    loadAverageAtStart: number[];
    loadAverageAtEnd?: number[];
    gitCommit?: string;
    connections: number;
    mixedConnections?: number;
    writeShare?: number;
    durationSeconds: number;
    warmupSeconds: number;
    rounds: number;
    sizes: number[];
    dialects: DialectName[];
    notes: string[];
  };
  coldStart?: ColdStartRecord;
  generation: GenerationRecord[];
  servers: ServerRecord[];
  scenarios: ScenarioRecord[];
  targets: TargetRecord[];
}
