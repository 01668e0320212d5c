import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from './helpers/dialects.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

describe.each(dialects)('healthz on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ dialect });
  });
  afterAll(async () => t.close());

  it('answers 200 {"status":"ok"} with a request id', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
  });
});
