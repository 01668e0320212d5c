import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * Slow or never-finishing clients over real HTTP (app.listen on a free port): clients that send
 * headers and part of a body, or part of the headers, and then stall must not hold up anyone else.
 * Storage plays no part here, so this runs on SQLite only.
 */
let t: TestApp;
let port: number;
const sockets: Socket[] = [];

beforeAll(async () => {
  t = await createTestApp({ dialect: 'sqlite' });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  port = typeof address === 'object' && address ? address.port : 0;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await t.close();
});

function stall(text: string): Socket {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.write(text);
  sockets.push(socket);
  return socket;
}

const partialBodies = [
  'POST /accounts/61db983a-cd07-4d6b-8b59-a5ffe285ca6a/graphql HTTP/1.1\r\nHost: x\r\nX-Auth-Token: demo-account-token-full\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{"query":"{ account',
  'POST /api/v2/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{"email":',
  'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{"query":"{ users',
  'POST /api/io/auth/customers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n',
  // the Management API: authenticated (its body is read after the credentials), and without credentials
  'POST /api/v3/io/users/bulk HTTP/1.1\r\nHost: x\r\nX-Auth-Token: demo-store-token-b2b\r\nX-Store-Hash: f0qyczpkb2\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n[{"email":',
  'PUT /api/v3/io/companies/bulk HTTP/1.1\r\nHost: x\r\nauthToken: demo-legacy-b2b-authtoken\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n[{"companyId":1',
  'POST /api/v3/io/companies HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{"companyName":',
];
const partialHeaders = ['GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ', 'POST /graphql HTTP/1.1\r\nHost', 'GET /api/v3/io/users HTTP/1.1\r\nHost: x\r\nX-Auth-Token: demo-store-'];

describe('stalled clients', () => {
  it('100 connections stalled mid-body or mid-headers do not delay other requests (the Management API\'s answered meanwhile)', async () => {
    for (let i = 0; i < 10; i++) {
      for (const text of partialBodies) stall(text);
      for (const text of partialHeaders) stall(text);
    }
    // give the server time to accept and start parsing every stalled connection
    await new Promise((r) => setTimeout(r, 100));
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => fetch(`http://127.0.0.1:${port}/healthz`).then(async (res) => ({ status: res.status, body: await res.json() }))),
    );
    for (const a of answers) expect(a).toEqual({ status: 200, body: { status: 'ok' } });
    const management = await fetch(`http://127.0.0.1:${port}/api/v3/io/users?limit=1`, { headers: { 'x-auth-token': 'demo-store-token-b2b', 'x-store-hash': 'f0qyczpkb2' } });
    expect(management.status).toBe(200);
    expect(((await management.json()) as { meta: { pagination: { limit: number } } }).meta.pagination.limit).toBe(1);
  });
});
