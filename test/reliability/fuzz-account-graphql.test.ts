import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../helpers/dialects.js';
import { fuzzSurface } from '../helpers/reliability-fuzz.js';
import { accountRequests, checkAccountResponse } from '../helpers/reliability-requests-account.js';
import { assertLogsFreeOfSecrets, createLoggedTestApp } from '../helpers/reliability-secrets.js';
import type { TestApp } from '../helpers/test-app.js';

/**
 * Generated bad input for the Account GraphQL API: 10,000 malformed or hostile requests on SQLite
 * and a 1,000-request sample on PostgreSQL (the same generators; the whole `npm test` must stay
 * short). Each answer must be below 500 and in the API's own format (account-graphql.md §9,
 * §11 #2-#4), no answer may echo a secret, no table may change, and the trace-level logs of the run
 * must hold no secret. ROSTER_FUZZ_SEED=<seed> replays a failing run.
 */
const runs = { sqlite: 10_000, postgres: 1_000 } as const;

describe.each(dialects)('Account GraphQL under generated bad input on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createLoggedTestApp({ dialect });
  });
  afterAll(async () => t.close());

  it(`answers ${runs[dialect]} malformed requests without a 5xx, in its own error format, changing nothing`, { timeout: 240_000 }, async () => {
    const result = await fuzzSurface({ app: t.app, database: t.database, requests: accountRequests, numRuns: runs[dialect], check: checkAccountResponse });
    expect(result.runs).toBe(runs[dialect]);
    // the generators reach every layer (auth, transport, parsing, validation, execution); the smaller PostgreSQL sample is not asked to
    if (dialect === 'sqlite') for (const status of [200, 400, 401, 403, 405, 415]) expect(result.statuses[status] ?? 0, `answers with HTTP ${status}`).toBeGreaterThan(0);
  });

  it('logged no secret while doing so', () => {
    assertLogsFreeOfSecrets();
  });
});
