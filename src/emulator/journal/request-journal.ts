import type { ApiName } from '../../http/api-error-response.js';
import { createRingBuffer, type RingBuffer } from './ring-buffer.js';
import { redactBody, redactHeaders, redactRequestUrl } from './journal-redact.js';


/** Who made a request, as far as its credentials tell without verifying them again. */
export type Principal =
  | { type: 'api-account'; accountUuid: string | undefined; apiAccountId?: number; name?: string; tokenFingerprint: string }
  | { type: 'b2b-user'; storeHash?: string; b2bUserId?: number; bcCustomerId?: number; email?: string; channelId?: number }
  | { type: 'credentials'; storeHash?: string; email?: string }
  | { type: 'anonymous' };

/** What the journal shows of a request, worked out when the journal is read. */
export interface RequestDescription {
  api: ApiName | 'other';
  route: string | undefined;
  operation: string | undefined;
  /** GraphQL: root fields and `root.child` paths; REST: the route */
  fields: readonly string[];
  principal: Principal;
}

/**
 * One request as captured: references to what the server already had (no copies, no parsing), so
 * the journal costs next to nothing per request. Parsing and redaction happen when it is read.
 */
export interface CapturedRequest {
  requestId: string;
  /** clock ms */
  at: number;
  world: string;
  method: string;
  url: string;
  /** computed once, on the first read */
  describe: () => RequestDescription;
  status: number;
  durationMs: number;
  requestHeaders: Record<string, unknown>;
  requestBody: unknown;
  responseHeaders: () => Record<string, unknown>;
  responseBody: unknown;
  /** id of the fault rule that shaped this response */
  fault: string | undefined;
}

export interface JournalEntry {
  seq: number;
  requestId: string;
  at: string;
  world: string;
  api: ApiName | 'other';
  method: string;
  url: string;
  route: string | null;
  operation: string | null;
  principal: Principal;
  status: number;
  durationMs: number;
  fault: string | null;
  request: { headers: Record<string, unknown>; body: unknown };
  response: { headers: Record<string, unknown>; body: unknown };
}

export interface JournalFilter {
  api?: string | undefined;
  /** a GraphQL root field, `root.child` path, operation name, or a REST route (`GET /api/v2/users`) */
  operation?: string | undefined;
  /** `404`, or a class such as `4xx` */
  status?: string | undefined;
  method?: string | undefined;
  /** only entries after this sequence number */
  since?: number | undefined;
  /** at most this many of the newest matching entries (default 50) */
  limit?: number | undefined;
}

export interface RequestJournal {
  record(entry: CapturedRequest): void;
  /** the last matching entries, oldest first, redacted */
  list(filter?: JournalFilter): JournalEntry[];
  clear(): void;
  readonly size: number;
  readonly capacity: number;
}

const MAX_BODY_CHARS = 16_384;

export function operationMatches(entry: { operation: string | undefined; fields: readonly string[]; method: string; route: string | undefined }, wanted: string): boolean {
  if (entry.operation === wanted) return true;
  if (entry.fields.includes(wanted)) return true;
  if (entry.route !== undefined && (wanted === entry.route || wanted === `${entry.method} ${entry.route}`)) return true;
  return false;
}

export function statusMatches(status: number, wanted: string): boolean {
  if (/^[1-5]xx$/i.test(wanted)) return Math.floor(status / 100) === Number(wanted[0]);
  return String(status) === wanted;
}

type Stored = CapturedRequest & { seq: number; description?: RequestDescription };

function described(e: Stored): RequestDescription {
  if (e.description === undefined) {
    try {
      e.description = e.describe();
    } catch {
      e.description = { api: 'other', route: undefined, operation: undefined, fields: [], principal: { type: 'anonymous' } };
    }
  }
  return e.description;
}

export function createRequestJournal(capacity: number): RequestJournal {
  const buffer: RingBuffer<Stored> = createRingBuffer(capacity);
  let seq = 0;
  return {
    record(entry) {
      seq += 1;
      (entry as Stored).seq = seq;
      buffer.push(entry as Stored);
    },
    list(filter = {}) {
      const limit = Math.max(1, Math.min(filter.limit ?? 50, capacity || 1));
      const matched = buffer.toArray().filter((e) => {
        if (filter.since !== undefined && e.seq <= filter.since) return false;
        if (filter.method !== undefined && e.method !== filter.method.toUpperCase()) return false;
        if (filter.status !== undefined && !statusMatches(e.status, filter.status)) return false;
        if (filter.api === undefined && filter.operation === undefined) return true;
        const d = described(e);
        if (filter.api !== undefined && d.api !== filter.api) return false;
        if (filter.operation !== undefined && !operationMatches({ ...d, method: e.method }, filter.operation)) return false;
        return true;
      });
      return matched.slice(-limit).map(present);
    },
    clear() {
      buffer.clear();
    },
    get size() {
      return buffer.size;
    },
    capacity,
  };
}

function present(e: Stored): JournalEntry {
  const d = described(e);
  let responseHeaders: Record<string, unknown>;
  try {
    responseHeaders = e.responseHeaders();
  } catch {
    responseHeaders = {};
  }
  return {
    seq: e.seq,
    requestId: e.requestId,
    at: new Date(e.at).toISOString(),
    world: e.world,
    api: d.api,
    method: e.method,
    url: redactRequestUrl(e.url),
    route: d.route ?? null,
    operation: d.operation ?? null,
    principal: { ...d.principal },
    status: e.status,
    durationMs: Math.round(e.durationMs * 1000) / 1000,
    fault: e.fault ?? null,
    request: { headers: redactHeaders(e.requestHeaders), body: redactBody(e.requestBody, MAX_BODY_CHARS) },
    response: { headers: redactHeaders(responseHeaders), body: redactBody(e.responseBody, MAX_BODY_CHARS) },
  };
}
