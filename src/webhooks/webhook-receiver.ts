import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A webhook receiver for tests (roster/testing): a real HTTP server on 127.0.0.1 with a free port.
 * Register `receiver.url` as a hook's destination, make a change, then `await receiver.waitFor(1)`
 * (or drain the world first) and assert on what arrived: headers, the exact body bytes (verify the
 * signature with the `standardwebhooks` library over `body`), and `json`.
 */
export interface ReceivedWebhook {
  headers: Record<string, string>;
  /** the body exactly as received (what the signature covers) */
  body: string;
  json: unknown;
  /** the request path and query, e.g. `/hooks` */
  path: string;
}

export interface WebhookReceiver {
  /** the destination to register, e.g. `http://127.0.0.1:53211/hooks` */
  readonly url: string;
  /** every request received so far, in arrival order */
  readonly received: ReceivedWebhook[];
  /** resolves once `count` requests arrived in all (rejects after `timeoutMs`, default 10 s) */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  /** the status later requests are answered with (default 200): e.g. 500 to exercise retries */
  respondWith(status: number): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(options: { status?: number; path?: string } = {}): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let status = options.status ?? 200;
  const waiters: { count: number; resolve: (r: ReceivedWebhook[]) => void }[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      received.push({ headers, body, json, path: request.url ?? '/' });
      response.writeHead(status, { 'content-type': 'application/json' }).end('{}');
      for (const waiter of [...waiters]) {
        if (received.length >= waiter.count) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve([...received]);
        }
      }
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${options.path ?? '/hooks'}`,
    received,
    waitFor(count, timeoutMs = 10_000) {
      if (received.length >= count) return Promise.resolve([...received]);
      return new Promise((resolve, reject) => {
        const waiter = {
          count,
          resolve: (r: ReceivedWebhook[]) => {
            clearTimeout(timer);
            resolve(r);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`webhook receiver: ${received.length} of ${count} requests arrived within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    respondWith(next) {
      status = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
