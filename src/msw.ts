import { bypass, HttpResponse, http, passthrough, type RequestHandler } from 'msw';
import { DROPPED_HEADER } from './emulator/controls.js';
import { ROSTER_TRANSPORT, type RosterWorld } from './testing.js';

/**
 * roster/msw: request handlers for MSW (v2) that answer BigCommerce's production hostnames from a
 * Roster world, so code with `https://api-b2b.bigcommerce.com` or `https://api.bigcommerce.com`
 * hard-coded talks to Roster unchanged:
 *
 *   import { setupServer } from 'msw/node';
 *   import { startRoster } from 'roster/testing';
 *   import { rosterHandlers } from 'roster/msw';
 *   const roster = await startRoster();
 *   const server = setupServer(...rosterHandlers(roster));   // or per test: rosterHandlers(await roster.fork())
 *   server.listen({ onUnhandledRequest: 'error' });
 *
 * Served: on `api-b2b.bigcommerce.com` the storefront REST API (`/api/v2/...`), its token endpoints
 * (`/api/io/...`), the Management API (`/api/v3/io/...`) and storefront GraphQL (`/graphql`); on
 * `api.bigcommerce.com` the Account GraphQL API (`/accounts/{uuid}/graphql`) and the webhooks
 * registration API (`/stores/{hash}/v3/hooks`). Every other host and path is left to MSW's own
 * policy (`onUnhandledRequest`) and to your other handlers. Each request goes through the same code
 * as over HTTP (journal, faults, quotas, the clock): with a Roster started in this process
 * (`startRoster`) without any socket (Fastify's inject), with one elsewhere (`connectRoster`) over
 * the network to its URL.
 */
export interface RosterHandlerOptions {
  /** the B2B host (default `https://api-b2b.bigcommerce.com`) */
  b2bBaseUrl?: string;
  /** the Account API / webhooks host (default `https://api.bigcommerce.com`) */
  apiBaseUrl?: string;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

export function rosterHandlers(world: RosterWorld, options: RosterHandlerOptions = {}): RequestHandler[] {
  const transport = world[ROSTER_TRANSPORT];
  const b2b = (options.b2bBaseUrl ?? 'https://api-b2b.bigcommerce.com').replace(/\/+$/, '');
  const api = (options.apiBaseUrl ?? 'https://api.bigcommerce.com').replace(/\/+$/, '');

  const answer = async ({ request }: { request: Request }): Promise<Response> => {
    const url = new URL(request.url);
    const path = `${transport.prefix}${url.pathname}${url.search}`;
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
    const body = hasBody ? Buffer.from(await request.arrayBuffer()) : undefined;
    if (!transport.inject) {
      // a Roster in another process: the same request to its URL, past MSW
      const forwarded = new Request(`${transport.base}${path}`, { method: request.method, headers, ...(body !== undefined ? { body } : {}) });
      return fetch(bypass(forwarded));
    }
    // the host the client addressed, as a real connection would carry it
    headers.host = url.host;
    const response = await transport.inject({ method: request.method, url: path, headers, ...(body !== undefined && body.length > 0 ? { body } : {}) });
    // a `drop` fault rule: the client sees its connection fail
    if (response.headers[DROPPED_HEADER] !== undefined) return HttpResponse.error();
    const out = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined || HOP_BY_HOP.has(name.toLowerCase())) continue;
      for (const item of Array.isArray(value) ? value : [String(value)]) out.append(name, item);
    }
    const noBody = request.method === 'HEAD' || response.status === 204 || response.status === 304;
    return new HttpResponse(noBody ? null : response.body, { status: response.status, headers: out });
  };

  const handlers: RequestHandler[] = [
    http.all(`${b2b}/api/*`, answer),
    http.all(`${b2b}/graphql`, answer),
    http.all(`${api}/accounts/*`, answer),
    http.all(`${api}/stores/:storeHash/v3/hooks`, answer),
    http.all(`${api}/stores/:storeHash/v3/hooks/*`, answer),
  ];
  // a Roster reached over the network: its own URL is not BigCommerce's, let those calls through
  if (!transport.inject) handlers.push(http.all(`${transport.base}/*`, () => passthrough()));
  return handlers;
}
