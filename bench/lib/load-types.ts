/** What the runner asks the load-generator process to do, and what it answers. */
export interface LoadSpec {
  /** http://127.0.0.1:PORT */
  baseUrl: string;
  /** 'simple': one request repeated; 'create-delete': POST path then DELETE deletePathPrefix/{data.userId} */
  kind: 'simple' | 'create-delete';
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
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
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

export interface WorkerRequest {
  id: number;
  spec: LoadSpec;
}

export type WorkerReply = { id: number; ok: true; result: LoadResult } | { id: number; ok: false; error: string };
