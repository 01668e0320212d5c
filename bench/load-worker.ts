import autocannon, { type Client } from 'autocannon';
import type { LoadResult, LoadSpec, PoolRequest, RequestPool, WorkerReply, WorkerRequest } from './lib/load-types.js';
import { connectionSeed, seededRandom } from './lib/random.js';

/**
 * The load generator: a process of its own (forked by the runner, never the server's process),
 * driving autocannon on request and answering with a summary over IPC.
 */

/**
 * 'pool': one request entry per connection whose `setupRequest` replaces method, path, headers and
 * body with a draw from the pool. autocannon clones the options per connection and resets a request's
 * `context` after every request of a one-entry list, so each connection's PRNG and cycle position live
 * in the closure that `setupClient` gives that connection. A `unique` entry's body gets a fresh value
 * for each `{{n}}` on every send (new e-mails for every create). `counters.graphqlErrors` counts 2xx answers
 * that carry GraphQL `errors` (when the pool asks for it), `counters.writesOk` 2xx answers to writes (likewise).
 */
function poolOptions(spec: LoadSpec, pool: RequestPool, counters: { graphqlErrors: number; writesOk: number }) {
  if (pool.entries.length === 0) throw new Error('empty request pool');
  const cycles = pool.cycles ?? [];
  if (pool.entries.some((e) => 'cycle' in e) && cycles.length < spec.connections) {
    throw new Error(`the pool has ${cycles.length} write cycles for ${spec.connections} connections: connections would share rows`);
  }
  let nextSlot = 0;
  // `unique` entries: one value per request, never repeated by another run (warm-up, rounds) of this process or another
  const tag = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  let sent = 0;
  const apply = (request: Record<string, unknown>, entry: PoolRequest) => {
    request.method = entry.method;
    request.path = entry.path;
    // a copy: autocannon adds Content-Length to the object it is given
    request.headers = { ...pool.headerSets[entry.headers] };
    request.body = entry.unique && entry.body !== undefined ? entry.body.replaceAll('{{n}}', `${tag}.${(sent += 1).toString(36)}`) : entry.body;
    return request;
  };
  const checkErrors = pool.graphqlErrorsFail === true;
  const countWrites = pool.countWrites === true;
  return {
    requests: [{ method: spec.method, path: spec.path, headers: spec.headers }],
    setupClient(client: Client) {
      const slot = nextSlot++;
      const random = seededRandom(connectionSeed(pool.seed, slot));
      const cycle = cycles.length > 0 ? (cycles[slot % cycles.length] as PoolRequest[]) : [];
      let step = 0;
      // one request in flight per connection: the answer is to the last request set up
      let isWrite = false;
      client.setRequests([
        {
          setupRequest(request) {
            const entry = pool.entries[Math.floor(random() * pool.entries.length)] as RequestPool['entries'][number];
            const next = 'cycle' in entry ? (cycle[step++ % cycle.length] as PoolRequest) : entry;
            isWrite = next.method !== 'GET';
            return apply(request, next);
          },
          ...(checkErrors || countWrites
            ? {
                onResponse(status: number, body: string) {
                  if (status < 200 || status >= 300) return;
                  if (isWrite) counters.writesOk += 1;
                  if (checkErrors && body.includes('"errors":')) counters.graphqlErrors += 1;
                },
              }
            : {}),
        },
      ]);
    },
  };
}

function buildOptions(spec: LoadSpec, counters: { graphqlErrors: number; writesOk: number }): Parameters<typeof autocannon>[0] {
  const base = {
    url: spec.baseUrl,
    connections: spec.connections,
    duration: spec.durationSeconds,
    timeout: 10,
  };
  if (spec.kind === 'pool') {
    if (!spec.pool) throw new Error('a pool load needs a pool');
    return { ...base, ...poolOptions(spec, spec.pool, counters) };
  }
  if (spec.kind === 'create-delete') {
    // each connection loops: POST a new user (unique e-mail), then DELETE the user it created
    let counter = 0;
    const tag = `${process.pid}.${Date.now().toString(36)}`;
    return {
      ...base,
      requests: [
        {
          method: 'POST',
          path: spec.path,
          headers: spec.headers,
          setupRequest: (request, context) => {
            context.userId = undefined;
            counter += 1;
            request.body = spec.bodyTemplate?.replace('{{n}}', `${tag}.${counter}`) ?? '';
            return request;
          },
          onResponse: (status, body, context) => {
            if (status !== 200) return;
            try {
              const parsed = JSON.parse(body) as { data?: { userId?: string | number } };
              context.userId = parsed.data?.userId;
            } catch {
              context.userId = undefined;
            }
          },
        },
        {
          method: 'DELETE',
          headers: spec.deleteHeaders ?? spec.headers,
          setupRequest: (request, context) => {
            // no id (the create failed): start over with a new create
            if (context.userId === undefined) return undefined;
            request.path = `${spec.deletePathPrefix ?? spec.path}/${String(context.userId)}`;
            request.body = undefined;
            return request;
          },
        },
      ],
    };
  }
  return {
    ...base,
    requests: [{ method: spec.method, path: spec.path, headers: spec.headers, ...(spec.body !== undefined ? { body: spec.body } : {}) }],
  };
}

async function run(spec: LoadSpec): Promise<LoadResult> {
  const counters = { graphqlErrors: 0, writesOk: 0 };
  const result = await autocannon(buildOptions(spec, counters));
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = Number(stats.count);
  return {
    requestsPerSecond: result.requests.total / result.duration,
    totalRequests: result.requests.total,
    durationSeconds: result.duration,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyMeanMs: result.latency.average,
    non2xx: result.non2xx,
    mismatches: counters.graphqlErrors,
    ...(spec.pool?.countWrites ? { writesOk: counters.writesOk } : {}),
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
  };
}

process.on('message', (message: WorkerRequest) => {
  void (async () => {
    let reply: WorkerReply;
    try {
      reply = { id: message.id, ok: true, result: await run(message.spec) };
    } catch (error) {
      reply = { id: message.id, ok: false, error: (error as Error).message };
    }
    process.send?.(reply);
  })();
});
process.on('disconnect', () => process.exit(0));
