import autocannon from 'autocannon';
import type { LoadResult, LoadSpec, WorkerReply, WorkerRequest } from './lib/load-types.js';

/**
 * The load generator: a process of its own (forked by the runner, never the server's process),
 * driving autocannon on request and answering with a summary over IPC.
 */

function buildOptions(spec: LoadSpec): Parameters<typeof autocannon>[0] {
  const base = {
    url: spec.baseUrl,
    connections: spec.connections,
    duration: spec.durationSeconds,
    timeout: 10,
  };
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
  const result = await autocannon(buildOptions(spec));
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
