import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../helpers/dialects.js';
import { managementFixture, signInStorefront, USERS } from '../helpers/management-support.js';
import { fuzzSurface } from '../helpers/reliability-fuzz.js';
import {
  bodyClassOf,
  checkManagementResponse,
  EXPECTED_STATUSES,
  type ManagementCallers,
  type ManagementRouteClass,
  managementRequests,
  managementRoutes,
  routeLabel,
  routeOf,
} from '../helpers/reliability-requests-b2b-management.js';
import { assertLogsFreeOfSecrets, createLoggedTestApp, rememberFixtureSecrets, rememberIssued } from '../helpers/reliability-secrets.js';
import type { TestApp } from '../helpers/test-app.js';

/**
 * Generated bad input for the B2B Management API v3 (/api/v3/io): every route the server publishes
 * in its OpenAPI document, with hostile path ids, every query parameter (repeated, any value),
 * bodies of every JSON type in every field, bulk bodies of any size, bodies that are not JSON,
 * methods and paths outside the served set, and every kind of caller (store tokens of both
 * stores, read-only and scope-less ones, legacy authTokens, account tokens, storefront JWTs, bad
 * or no credentials). 6,000 requests on SQLite, 1,200 on PostgreSQL. Every answer is below 500, in
 * the API's own envelope (b2b-management-rest.md §3), carries no secret or internal detail, callers
 * that may not write get 401/403, another store's token gets 404 on this store's ids, and no table
 * changes (every write is built to be refused: test/helpers/reliability-requests-b2b-management.ts).
 * ROSTER_FUZZ_SEED=<seed> replays a failing run.
 */
const runs = { sqlite: 6_000, postgres: 1_200 } as const;

describe.each(dialects)('the B2B Management API under generated bad input on %s', (dialect) => {
  let t: TestApp;
  let routes: ManagementRouteClass[];
  let callers: ManagementCallers;
  beforeAll(async () => {
    const fixture = managementFixture();
    rememberFixtureSecrets(fixture);
    t = await createLoggedTestApp({ dialect, fixture });
    routes = await managementRoutes(t.app);
    const signIn = await signInStorefront(t, USERS.admin.email);
    expect(signIn.status, signIn.raw).toBe(200);
    callers = { storefrontJwt: signIn.body.data.token };
    rememberIssued('storefront token of Marie', callers.storefrontJwt);
  });
  afterAll(async () => t.close());

  it('every route the server publishes has a body class when it takes a body', () => {
    expect(routes.length).toBeGreaterThanOrEqual(25);
    for (const route of routes.filter((r) => r.body !== undefined)) expect(() => bodyClassOf(route), routeLabel(route)).not.toThrow();
  });

  it(`answers ${runs[dialect]} malformed requests without a 5xx, in its own envelope, changing nothing`, { timeout: 240_000 }, async () => {
    const result = await fuzzSurface({ app: t.app, database: t.database, requests: managementRequests(routes, callers), numRuns: runs[dialect], check: checkManagementResponse });
    expect(result.runs).toBe(runs[dialect]);
    if (dialect !== 'sqlite') return;
    // the generators reach every layer of §2.3's order of checks and every published route
    for (const status of EXPECTED_STATUSES) expect(result.statuses[status] ?? 0, `answers with HTTP ${status}`).toBeGreaterThan(0);
    const reached = new Set(Object.keys(result.families).map((f) => routeOf({ family: f } as never)).filter((r) => r !== undefined));
    for (const route of routes) expect(reached.has(routeLabel(route)), `no generated request for ${routeLabel(route)}`).toBe(true);
    for (const kind of ['read', 'read-authorised', 'refused', 'denied', 'bola', 'transport', 'method', 'unknown-path', 'not-implemented', 'bulk-size', 'huge']) {
      expect(Object.keys(result.families).some((f) => f.split('|')[0] === kind), kind).toBe(true);
    }
  });

  it('logged no secret while doing so', () => {
    assertLogsFreeOfSecrets();
  });
});
