import { createServer } from 'node:http';

/**
 * The webhook destination of the `*-hooks` scenarios, run as its own process like the baselines: a
 * bare node:http server that reads each delivery's body, answers 200 and counts it.
 *   POST /hooks        a delivery (any body): 200, counted
 *   GET  /count        {"received": n, "bytes": b, "connections": c}: what arrived so far (c: TCP connections opened)
 *   GET  /healthz      200
 * --port P.
 */
const i = process.argv.indexOf('--port');
const port = Number(i >= 0 ? process.argv[i + 1] : Number.NaN);
if (!Number.isInteger(port)) throw new Error('missing --port');

let received = 0;
let bytes = 0;
let connections = 0;
const server = createServer((request, response) => {
  if (request.method === 'GET') {
    const body = request.url === '/count' ? JSON.stringify({ received, bytes, connections }) : 'ok';
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    response.end(body);
    return;
  }
  let size = 0;
  request.on('data', (chunk: Buffer) => {
    size += chunk.length;
  });
  request.on('end', () => {
    received += 1;
    bytes += size;
    response.writeHead(200, { 'content-length': '0' });
    response.end();
  });
});
server.on('connection', () => {
  connections += 1;
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1');
