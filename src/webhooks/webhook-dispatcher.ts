import http from 'node:http';
import https from 'node:https';
import type { Database } from '../db/database.js';
import { runOutsideTenants } from '../db/tenant-ledger.js';
import type { WebhookDeliveriesTable } from '../db/tables.js';
import { type EventSink, MEMBERSHIP_CHANGED, webhooksTenant } from '../domain/domain-events.js';
import { deliveryUuid, MAX_ATTEMPTS, RETRY_INTERVALS_S, signWebhook } from '../domain/webhooks/webhook-payload.js';
import { cancelPendingDeliveries, findWebhookById } from '../domain/webhooks/webhook-repository.js';
import type { Clock } from '../shared/clock.js';

/**
 * Sends the webhook outbox of one world (webhooks.md §5-§7): due attempts in (dueAt, event
 * sequence, hook id) order, one request in flight per hook, `concurrency` hooks at once; retries on
 * Roster's clock (§6.1, intervals chained from due times, so one clock jump replays a chain),
 * deactivation after the 12th failure (§6.2), blocklisting of (client, host:port) (§6.3). It runs
 * when a write enqueued deliveries, when the clock moves, on `drain()`, and from a timer while the
 * clock runs in real time. Each attempt is claimed with a lease on real time, so several instances
 * on one PostgreSQL never send an attempt twice on purpose; a crash between sending and recording
 * repeats it (at least once, same webhook-id).
 */
export interface WebhookSettings {
  mode: 'send' | 'record' | 'off';
  destinations: 'lenient' | 'strict';
  timeoutMs: number;
  insecureTls: boolean;
  timestamp: 'clock' | 'real';
  concurrency: number;
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = { mode: 'send', destinations: 'lenient', timeoutMs: 10_000, insecureTls: false, timestamp: 'clock', concurrency: 8 };

export interface DeliveryAttempt {
  n: number;
  dueAt: string;
  sentAt: string | null;
  webhookTimestamp: number;
  signature: string;
  outcome: 'succeeded' | 'failed' | 'recorded' | 'deferred';
  httpStatus: number | null;
  error: 'connection' | 'dns' | 'tls' | 'timeout' | 'response-headers' | null;
  durationMs: number;
  responseExcerpt: string;
}

export interface DeliveryView {
  id: string;
  webhookId: number;
  clientId: string;
  storeHash: string;
  scope: string;
  destination: string;
  eventSeq: number;
  requestId: string | null;
  payload: unknown;
  state: WebhookDeliveriesTable['state'];
  nextAttemptAt: string | null;
  attempts: DeliveryAttempt[];
}

export interface DrainResult {
  attempted: number;
  succeeded: number;
  failed: number;
  deferred: number;
  pending: number;
  nextDueAt: string | null;
  timedOut: boolean;
}

export interface WebhookDispatcher {
  /** look for due attempts (soon, off the caller's path) */
  kick(): void;
  /** run until nothing is due at the current clock time and nothing is in flight */
  drain(timeoutMs?: number): Promise<DrainResult>;
  deliveries(filter: { webhookId?: number; scope?: string; state?: string; limit?: number }): Promise<DeliveryView[]>;
  /**
   * Sends a delivery again (the console's "Redeliver"): a copy of it (same hook, scope, payload and
   * event) becomes a new delivery, pending now, with its own id (so its own webhook-id) and a fresh
   * retry chain; the original is left as it is. A hook that is no longer active cancels the copy at
   * its first attempt, as it would any delivery. undefined when there is no delivery with that id.
   */
  redeliver(id: string): Promise<DeliveryView | undefined>;
  /** pending deliveries of this world become `cancelled` (reset, restore, fixture load) */
  cancelAll(): Promise<void>;
  blocklist(): { clientId: string; host: string; until: string; attempts: number; successRatio: number }[];
  clearBlocklist(): void;
  close(): Promise<void>;
}

const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'user-agent', 'host', 'connection', 'transfer-encoding']);
const BLOCK_WINDOW_MS = 120_000;
const BLOCK_MIN_OUTCOMES = 100;
const BLOCK_RATIO = 0.9;
const BLOCK_FOR_MS = 180_000;
const MAX_EXCERPT = 1024;

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

export function createWebhookDispatcher(deps: {
  database: Database;
  clock: Clock & { onChange?(listener: () => void): () => void; readonly isFrozen?: boolean };
  events: EventSink;
  settings: () => WebhookSettings;
}): WebhookDispatcher {
  const db = deps.database.kysely;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const counts = { attempted: 0, succeeded: 0, failed: 0, deferred: 0 };
  // §6.3: outcomes per (client, host:port) on Roster's clock, and blocklisted keys until when
  const outcomes = new Map<string, { at: number; ok: boolean }[]>();
  const blocked = new Map<string, number>();
  const unsubscribe = deps.clock.onChange?.(() => kick());
  // connections to destinations are kept alive between deliveries (one per delivery made a new TCP
  // connection each time: about a third of a write-heavy load's throughput with two hooks)
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  // what a previous process left pending (a restart after SIGTERM or SIGKILL) is looked at once at start
  setImmediate(() => kick());

  let redeliveries = 0;

  function deliveryView(r: WebhookDeliveriesTable): DeliveryView {
    return {
      id: r.id,
      webhookId: Number(r.webhook_id),
      clientId: r.client_id,
      storeHash: r.store_hash,
      scope: r.scope,
      destination: r.destination,
      eventSeq: Number(r.event_seq),
      requestId: r.request_id,
      payload: JSON.parse(r.body) as unknown,
      state: r.state,
      nextAttemptAt: r.state === 'pending' ? iso(Number(r.next_due_at)) : null,
      attempts: JSON.parse(r.attempts) as DeliveryAttempt[],
    };
  }

  function kick(): void {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await runDue();
        } while (again && !closed);
      } catch {
        // a failing database (closing world) stops this round; the next kick tries again
      } finally {
        running = undefined;
        schedule();
      }
    })();
  }

  /** while the clock runs in real time, wake up when the next attempt falls due */
  function schedule(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (closed || deps.clock.isFrozen) return;
    void db
      .selectFrom('webhook_deliveries')
      .select((eb) => eb.fn.min<number>('next_due_at').as('next'))
      .where('state', '=', 'pending')
      .executeTakeFirst()
      .then((row) => {
        if (closed || row?.next === null || row?.next === undefined) return;
        const delay = Math.max(0, Math.min(Number(row.next) - deps.clock.now(), 2 ** 31 - 1));
        timer = setTimeout(kick, delay);
        timer.unref();
      })
      .catch(() => undefined);
  }

  async function runDue(): Promise<void> {
    const settings = deps.settings();
    if (settings.mode === 'off') return;
    for (;;) {
      if (closed) return;
      const now = deps.clock.now();
      const realNow = Date.now();
      const due = await db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('state', '=', 'pending')
        .where('next_due_at', '<=', now)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', realNow)]))
        .orderBy('next_due_at')
        .orderBy('event_seq')
        .orderBy('webhook_id')
        .limit(200)
        .execute();
      if (due.length === 0) return;
      // one in flight per hook: the first due attempt of each hook, `concurrency` hooks at once
      const seen = new Set<number>();
      const batch: WebhookDeliveriesTable[] = [];
      for (const row of due) {
        if (seen.has(Number(row.webhook_id))) continue;
        seen.add(Number(row.webhook_id));
        batch.push(row as WebhookDeliveriesTable);
        if (batch.length >= Math.max(1, settings.concurrency)) break;
      }
      const claimed: WebhookDeliveriesTable[] = [];
      for (const row of batch) {
        // long enough for one attempt; a process killed mid-attempt leaves a lease that expires soon
        const lease = Date.now() + settings.timeoutMs + 5_000;
        const result = await runOutsideTenants(
          deps.database,
          db
            .updateTable('webhook_deliveries')
            .set({ lease_until: lease })
            .where('id', '=', row.id)
            .where('state', '=', 'pending')
            .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', Date.now())])),
        );
        if (Number(result.numAffectedRows) === 1) claimed.push(row);
      }
      if (claimed.length === 0) return;
      await Promise.all(claimed.map((row) => attempt(row, settings)));
    }
  }

  function blockKey(clientId: string, destination: string): string {
    try {
      const url = new URL(destination);
      return `${clientId} ${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
    } catch {
      return `${clientId} ${destination}`;
    }
  }

  function recordOutcome(key: string, ok: boolean, now: number, storeHash: string, clientId: string): void {
    const list = (outcomes.get(key) ?? []).filter((o) => o.at > now - BLOCK_WINDOW_MS);
    list.push({ at: now, ok });
    outcomes.set(key, list);
    if (list.length >= BLOCK_MIN_OUTCOMES && list.filter((o) => o.ok).length / list.length < BLOCK_RATIO && (blocked.get(key) ?? 0) <= now) {
      blocked.set(key, now + BLOCK_FOR_MS);
      deps.events.emit({ type: 'webhook.domain.blocklisted', subject: { storeHash, clientId, host: key.split(' ')[1] }, after: { until: iso(now + BLOCK_FOR_MS) } });
    }
  }

  async function attempt(row: WebhookDeliveriesTable, settings: WebhookSettings): Promise<void> {
    const hook = await findWebhookById(db, Number(row.webhook_id));
    const now = deps.clock.now();
    if (!hook?.isActive) {
      await runOutsideTenants(deps.database, db.updateTable('webhook_deliveries').set({ state: 'cancelled', lease_until: null, updated_at: now }).where('id', '=', row.id));
      return;
    }
    const attempts = JSON.parse(row.attempts) as DeliveryAttempt[];
    const key = blockKey(hook.clientId, hook.destination);
    const until = blocked.get(key);
    if (until !== undefined && until > now) {
      // §6.3: not sent while blocklisted; a first attempt waits at least a minute; not counted
      const next = Number(row.attempt_count) === 0 ? Math.max(until, now + 60_000) : until;
      attempts.push({ n: Number(row.attempt_count) + 1, dueAt: iso(Number(row.next_due_at)), sentAt: null, webhookTimestamp: 0, signature: '', outcome: 'deferred', httpStatus: null, error: null, durationMs: 0, responseExcerpt: '' });
      await runOutsideTenants(deps.database, db.updateTable('webhook_deliveries').set({ next_due_at: next, lease_until: null, attempts: JSON.stringify(attempts), updated_at: now }).where('id', '=', row.id));
      counts.deferred += 1;
      return;
    }
    const secretRow = await db.selectFrom('b2b_api_accounts').select('client_secret').where('client_id', '=', hook.clientId).executeTakeFirst();
    const secret = secretRow?.client_secret ?? '';
    const timestamp = Math.floor((settings.timestamp === 'real' ? Date.now() : now) / 1000);
    const signature = signWebhook(secret, row.id, timestamp, row.body);
    const n = Number(row.attempt_count) + 1;
    const base = { n, dueAt: iso(Number(row.next_due_at)), webhookTimestamp: timestamp, signature };
    if (settings.mode === 'record') {
      attempts.push({ ...base, sentAt: iso(now), outcome: 'recorded', httpStatus: null, error: null, durationMs: 0, responseExcerpt: '' });
      await runOutsideTenants(deps.database, db.updateTable('webhook_deliveries').set({ state: 'recorded', attempt_count: n, lease_until: null, attempts: JSON.stringify(attempts), updated_at: now }).where('id', '=', row.id));
      return;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(hook.headers ?? {})) {
      const lower = name.toLowerCase();
      if (RESERVED_HEADERS.has(lower) || lower.startsWith('webhook-')) continue;
      headers[name] = value;
    }
    Object.assign(headers, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(row.body)),
      'user-agent': 'Roster-Webhooks/1',
      'webhook-id': row.id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signature,
    });
    const started = Date.now();
    const result = await post(hook.destination, headers, row.body, settings, agents);
    counts.attempted += 1;
    const sentNow = deps.clock.now();
    attempts.push({ ...base, sentAt: iso(now), outcome: result.ok ? 'succeeded' : 'failed', httpStatus: result.status, error: result.error, durationMs: Date.now() - started, responseExcerpt: result.excerpt });
    recordOutcome(key, result.ok, sentNow, hook.storeHash, hook.clientId);
    const subject = { storeHash: hook.storeHash, webhookId: hook.id, deliveryId: row.id, scope: row.scope };
    if (result.ok) {
      counts.succeeded += 1;
      await runOutsideTenants(deps.database, db.updateTable('webhook_deliveries').set({ state: 'succeeded', attempt_count: n, lease_until: null, attempts: JSON.stringify(attempts), updated_at: sentNow }).where('id', '=', row.id));
      deps.events.emit({ type: 'webhook.delivery.succeeded', subject, after: { attempt: n, httpStatus: result.status } });
      return;
    }
    counts.failed += 1;
    deps.events.emit({ type: 'webhook.delivery.failed', subject, after: { attempt: n, httpStatus: result.status, error: result.error } });
    if (n >= MAX_ATTEMPTS) {
      // §6.2: the last retry failed: the hook is deactivated, its other pending deliveries cancelled
      await runOutsideTenants(deps.database, db.updateTable('webhook_deliveries').set({ state: 'failed', attempt_count: n, lease_until: null, attempts: JSON.stringify(attempts), updated_at: sentNow }).where('id', '=', row.id));
      await runOutsideTenants(
        deps.database,
        db.updateTable('webhooks').set({ is_active: 0, updated_at: Math.max(sentNow, hook.updatedAt) }).where('id', '=', hook.id),
        new Map([[webhooksTenant(row.store_hash), [MEMBERSHIP_CHANGED]]]),
      );
      await cancelPendingDeliveries(db, hook.id, sentNow);
      deps.events.emit({ type: 'webhook.deactivated', subject: { storeHash: hook.storeHash, webhookId: hook.id, clientId: hook.clientId }, after: { isActive: false } });
      return;
    }
    const interval: number = RETRY_INTERVALS_S[n - 1] ?? 86_400;
    await runOutsideTenants(
      deps.database,
      db
        .updateTable('webhook_deliveries')
        .set({ attempt_count: n, next_due_at: Number(row.next_due_at) + interval * 1000, lease_until: null, attempts: JSON.stringify(attempts), updated_at: sentNow })
        .where('id', '=', row.id),
    );
  }

  return {
    kick,
    async drain(timeoutMs = 30_000) {
      const start = Date.now();
      const before = { ...counts };
      let timedOut = false;
      for (;;) {
        kick();
        while (running) {
          if (Date.now() - start > timeoutMs) {
            timedOut = true;
            break;
          }
          await Promise.race([running, new Promise((r) => setTimeout(r, 50))]);
        }
        if (timedOut) break;
        const dueNow = await db
          .selectFrom('webhook_deliveries')
          .select('id')
          .where('state', '=', 'pending')
          .where('next_due_at', '<=', deps.clock.now())
          .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', Date.now())]))
          .limit(1)
          .executeTakeFirst();
        if (!dueNow || deps.settings().mode === 'off') break;
        if (Date.now() - start > timeoutMs) {
          timedOut = true;
          break;
        }
      }
      const pending = await db
        .selectFrom('webhook_deliveries')
        .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min<number>('next_due_at').as('next')])
        .where('state', '=', 'pending')
        .executeTakeFirstOrThrow();
      return {
        attempted: counts.attempted - before.attempted,
        succeeded: counts.succeeded - before.succeeded,
        failed: counts.failed - before.failed,
        deferred: counts.deferred - before.deferred,
        pending: Number(pending.n),
        nextDueAt: pending.next === null || pending.next === undefined ? null : iso(Number(pending.next)),
        timedOut,
      };
    },
    async redeliver(id) {
      const row = await db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) return undefined;
      const now = deps.clock.now();
      redeliveries += 1;
      const copy: WebhookDeliveriesTable = {
        ...(row as WebhookDeliveriesTable),
        // derived, not random: the same calls give the same ids under --deterministic
        id: deliveryUuid(`${row.id}/redelivery/${redeliveries}/${now}`),
        state: 'pending',
        attempt_count: 0,
        first_due_at: now,
        next_due_at: now,
        lease_until: null,
        attempts: '[]',
        created_at: now,
        updated_at: now,
      };
      await db.insertInto('webhook_deliveries').values(copy).execute();
      kick();
      return deliveryView(copy);
    },
    async deliveries(filter) {
      let q = db.selectFrom('webhook_deliveries').selectAll();
      if (filter.webhookId !== undefined) q = q.where('webhook_id', '=', filter.webhookId);
      if (filter.scope !== undefined) q = q.where('scope', '=', filter.scope);
      if (filter.state !== undefined) q = q.where('state', '=', filter.state as WebhookDeliveriesTable['state']);
      const rows = await q
        .orderBy('created_at', 'desc')
        .orderBy('event_seq', 'desc')
        .orderBy('webhook_id', 'desc')
        .limit(Math.min(Math.max(1, filter.limit ?? 100), 1000))
        .execute();
      return rows.map((r) => deliveryView(r as WebhookDeliveriesTable));
    },
    blocklist() {
      const now = deps.clock.now();
      return [...blocked.entries()]
        .filter(([, until]) => until > now)
        .map(([key, until]) => {
          const [clientId = '', host = ''] = key.split(' ');
          const window = (outcomes.get(key) ?? []).filter((o) => o.at > now - BLOCK_WINDOW_MS);
          return { clientId, host, until: iso(until), attempts: window.length, successRatio: window.length === 0 ? 1 : window.filter((o) => o.ok).length / window.length };
        });
    },
    clearBlocklist() {
      blocked.clear();
      outcomes.clear();
    },
    async cancelAll() {
      await db.updateTable('webhook_deliveries').set({ state: 'cancelled', lease_until: null, updated_at: deps.clock.now() }).where('state', '=', 'pending').execute();
    },
    async close() {
      closed = true;
      unsubscribe?.();
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

interface PostResult {
  ok: boolean;
  status: number | null;
  error: DeliveryAttempt['error'];
  excerpt: string;
}

/** One POST (§5.1, §5.3): redirects never followed, TLS verified unless told, headers within `timeoutMs` real time. */
async function post(destination: string, headers: Record<string, string>, body: string, settings: WebhookSettings, agents: { http: http.Agent; https: https.Agent }): Promise<PostResult> {
  const first = await postOnce(destination, headers, body, settings, agents);
  // a kept-alive connection the destination had just closed is not the destination failing: the
  // same request once more on a new connection (nothing reached the receiver the first time)
  if (first.staleSocket) return postOnce(destination, headers, body, settings, undefined);
  return first;
}

function postOnce(destination: string, headers: Record<string, string>, body: string, settings: WebhookSettings, agents: { http: http.Agent; https: https.Agent } | undefined): Promise<PostResult & { staleSocket?: boolean }> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(destination);
    } catch {
      resolve({ ok: false, status: null, error: 'connection', excerpt: '' });
      return;
    }
    const client = url.protocol === 'https:' ? https : http;
    let settled = false;
    const finish = (result: PostResult & { staleSocket?: boolean }) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(result);
    };
    const agent = agents === undefined ? false : url.protocol === 'https:' ? agents.https : agents.http;
    const request = client.request(url, { method: 'POST', headers, ...(url.protocol === 'https:' ? { rejectUnauthorized: !settings.insecureTls } : {}), agent }, (response) => {
      const status = response.statusCode ?? 0;
      const names = Object.keys(response.headers);
      const headersOk = response.rawHeaders.length / 2 <= 64 && names.every((n) => n.length <= 64) && response.rawHeaders.every((v, i) => i % 2 === 0 || Buffer.byteLength(v) <= 8192);
      clearTimeout(deadline);
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        if (size < MAX_EXCERPT) chunks.push(chunk);
        size += chunk.length;
        if (size >= MAX_EXCERPT) response.destroy();
      });
      const done = () => {
        const excerpt = Buffer.concat(chunks).toString('utf8').slice(0, MAX_EXCERPT);
        const success = status >= 200 && status < 300;
        finish({ ok: success && headersOk, status, error: success && !headersOk ? 'response-headers' : null, excerpt });
      };
      response.on('end', done);
      response.on('close', done);
      response.on('error', done);
    });
    const deadline = setTimeout(() => {
      finish({ ok: false, status: null, error: 'timeout', excerpt: '' });
      request.destroy();
    }, settings.timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? '';
      if (request.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE')) {
        finish({ ok: false, status: null, error: 'connection', excerpt: '', staleSocket: true });
        return;
      }
      const kind: DeliveryAttempt['error'] = code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'dns' : /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code) ? 'tls' : 'connection';
      finish({ ok: false, status: null, error: kind, excerpt: '' });
    });
    request.end(body);
  });
}
