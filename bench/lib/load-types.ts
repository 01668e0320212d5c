/** What the runner asks the load-generator process to do, and what it answers. */
export interface LoadSpec {
  /** http://127.0.0.1:PORT */
  baseUrl: string;
  /**
   * 'simple': one request repeated; 'create-delete': POST path then DELETE deletePathPrefix/{data.userId};
   * 'pool': each request drawn at random from `pool` (method/path/headers/body below: a representative
   * request of the pool, unused by the load itself)
   */
  kind: 'simple' | 'create-delete' | 'pool';
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  pool?: RequestPool;
  /** create-delete: request body with `{{n}}` replaced by a unique value */
  bodyTemplate?: string;
  deletePathPrefix?: string;
  deleteHeaders?: Record<string, string>;
  connections: number;
  durationSeconds: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  totalRequests: number;
  durationSeconds: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMeanMs: number;
  non2xx: number;
  /** 2xx answers of a pool that carried GraphQL `errors` (counted as failed); 0 for other kinds */
  mismatches?: number;
  /** pool loads: 2xx answers to requests other than GET (the writes that succeeded) */
  writesOk?: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

export interface WorkerRequest {
  id: number;
  spec: LoadSpec;
}

export type WorkerReply = { id: number; ok: true; result: LoadResult } | { id: number; ok: false; error: string };

/** One prebuilt request of a pool; `headers` indexes `RequestPool.headerSets` (a token is sent once per set, not per request). */
export interface PoolRequest {
  method: string;
  path: string;
  headers: number;
  body?: string;
  /**
   * the body is a template: every `{{n}}` in it is replaced by one value unique to this request (and to
   * this run of the load generator), e.g. the e-mails of the users a create sends
   */
  unique?: boolean;
}

/**
 * The requests a 'pool' load draws from. Each connection draws uniformly from `entries` with its own
 * PRNG (seeded from `seed` and the connection's number), so a run is the same every time. An entry
 * `{ cycle: true }` sends the next step of the connection's own cycle: connection i walks
 * `cycles[i % cycles.length]` in order (wrapping), one step per draw, so writes that must follow each
 * other (add a user, then remove the same user) run in order on one connection, and no two
 * connections touch the same rows when there are at least as many cycles as connections.
 */
export interface RequestPool {
  seed: number;
  headerSets: Record<string, string>[];
  entries: (PoolRequest | { cycle: true })[];
  cycles?: PoolRequest[][];
  /** count a 2xx response whose body holds a GraphQL `"errors"` key as failed */
  graphqlErrorsFail?: boolean;
  /** count the 2xx answers to writes (`LoadResult.writesOk`); off by default: an `onResponse` makes autocannon collect every body */
  countWrites?: boolean;
}
