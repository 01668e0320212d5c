import type { FastifyRequest } from 'fastify';
import { findApiAccountByTokenHash } from '../domain/api-accounts/api-account-repository.js';
import type { Services } from '../services.js';
import { isLoopbackHost } from '../shared/loopback.js';
import { hashToken } from '../shared/secrets.js';

/**
 * GraphiQL ready to use on open, for someone trying Roster on their own machine: on a Roster that
 * listens on loopback and serves the demo world (fixtures/demo.json), the page comes with the demo
 * credentials in its headers (the Account API's demo token; for B2B a storefront token of the
 * demo Company admin, signed in for the page) and an example that runs. So the schema, the docs
 * and autocomplete load at once instead of an UNAUTHENTICATED error. Never on a Roster reachable
 * from elsewhere (a non-loopback --host, or a request from another machine) and never on another
 * world: there the headers are empty, as before.
 */
export const DEMO_ACCOUNT_TOKEN = 'demo-account-token-full';
export const DEMO_B2B_SIGN_IN = { storeHash: 'f0qyczpkb2', email: 'm.curie@greatbuys.com', password: 'Passw0rd!', channelId: 1 } as const;
export const DEMO_COMPANY_ID = 123456;

/** The request came from this machine to a server that only this machine can reach. */
function onLoopback(request: FastifyRequest): boolean {
  if (!isLoopbackHost(request.socket.remoteAddress ?? '')) return false;
  const bound = request.server.server.address();
  // not listening (app.inject): only in-process callers exist
  return bound === null || typeof bound === 'string' || isLoopbackHost(bound.address);
}

/** The demo Account token, when the page may carry it. */
export async function demoAccountToken(request: FastifyRequest, services: Services): Promise<string | undefined> {
  if (!onLoopback(request)) return undefined;
  return (await findApiAccountByTokenHash(services.database, hashToken(DEMO_ACCOUNT_TOKEN))) ? DEMO_ACCOUNT_TOKEN : undefined;
}

/** A fresh storefront token of the demo admin, when the page may carry it. */
export async function demoB2bToken(request: FastifyRequest, services: Services): Promise<string | undefined> {
  if (!onLoopback(request)) return undefined;
  try {
    return (await services.b2bTokens.signInWithPassword({ ...DEMO_B2B_SIGN_IN, name: 'GraphiQL (demo)' })).token;
  } catch {
    // not the demo world (or its admin's password changed): an empty header, as elsewhere
    return undefined;
  }
}
