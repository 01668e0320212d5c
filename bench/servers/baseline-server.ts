import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

/**
 * The machine's limit for each scenario, run as its own process:
 *   --kind bare     node:http answering each path with fixed bytes (the scenario's real response)
 *   --kind fastify  a Fastify 5 route per path that serializes the same value through a response schema
 * --bodies FILE: JSON {"routes": [{"path": "/b/x", "body": "<response text>"}]}.
 */
function arg(name: string): string {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  if (value === undefined) throw new Error(`missing ${name}`);
  return value;
}

const kind = arg('--kind');
const port = Number(arg('--port'));
const routes = (JSON.parse(readFileSync(arg('--bodies'), 'utf8')) as { routes: { path: string; body: string }[] }).routes;

type JsonSchema = Record<string, unknown>;

/** A response schema describing `value` (object keys merged across array items). */
export function schemaOf(value: unknown): JsonSchema {
  if (value === null) return { type: 'null' };
  if (Array.isArray(value)) {
    if (value.length === 0) return { type: 'array' };
    return { type: 'array', items: value.slice(1).reduce<JsonSchema>((acc, item) => mergeSchemas(acc, schemaOf(item)), schemaOf(value[0])) };
  }
  switch (typeof value) {
    case 'string':
      return { type: 'string' };
    case 'number':
      return { type: Number.isInteger(value) ? 'integer' : 'number' };
    case 'boolean':
      return { type: 'boolean' };
    case 'object': {
      const properties: Record<string, JsonSchema> = {};
      for (const [key, v] of Object.entries(value as Record<string, unknown>)) properties[key] = schemaOf(v);
      return { type: 'object', properties };
    }
    default:
      return {};
  }
}

function mergeSchemas(a: JsonSchema, b: JsonSchema): JsonSchema {
  if (a.type === 'object' && b.type === 'object') {
    const properties = { ...(a.properties as Record<string, JsonSchema>) };
    for (const [key, s] of Object.entries(b.properties as Record<string, JsonSchema>)) {
      properties[key] = properties[key] ? mergeSchemas(properties[key], s) : s;
    }
    return { type: 'object', properties };
  }
  if (a.type === 'array' && b.type === 'array') {
    if (!a.items) return b;
    if (!b.items) return a;
    return { type: 'array', items: mergeSchemas(a.items as JsonSchema, b.items as JsonSchema) };
  }
  if (JSON.stringify(a) === JSON.stringify(b)) return a;
  if (a.type === 'null') return { ...b, type: [b.type, 'null'].flat() };
  if (b.type === 'null') return { ...a, type: [a.type, 'null'].flat() };
  return {};
}

if (kind === 'bare') {
  const bodies = new Map(routes.map((r) => [r.path, Buffer.from(r.body, 'utf8')]));
  const health = Buffer.from('{"status":"ok"}');
  createServer((req, res) => {
    const q = req.url?.indexOf('?') ?? -1;
    const path = q >= 0 ? req.url?.slice(0, q) : req.url;
    const body = bodies.get(path ?? '') ?? health;
    // answer once the request body (if any) has arrived, like any server that reads it
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
      res.end(body);
    });
    req.resume();
  }).listen(port, '127.0.0.1');
} else if (kind === 'fastify') {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  for (const route of routes) {
    const value = JSON.parse(route.body) as unknown;
    app.route({
      method: ['GET', 'POST', 'DELETE'],
      url: route.path,
      schema: { response: { 200: schemaOf(value) } },
      handler: async () => value,
    });
  }
  app.get('/healthz', async () => ({ status: 'ok' }));
  await app.listen({ port, host: '127.0.0.1' });
} else {
  throw new Error(`unknown --kind ${kind}`);
}
