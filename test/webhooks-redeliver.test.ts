import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from './helpers/dialects.js';
import { mgmt, NOW } from './helpers/management-support.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';
import { createHook, type Delivery, deliveries, drain, emulator, hooks, startReceiver, type TestReceiver, UUID_LOWER, webhookFixture } from './helpers/webhooks-support.js';

/**
 * POST /_roster/webhooks/deliveries/{id}/redeliver (the console's "Redeliver"): a copy of the
 * delivery becomes a new pending delivery with its own id and retry chain, is sent with the same
 * payload bytes, and leaves the original as it was.
 */
describe.each(dialects)('redelivering a webhook delivery (%s)', (dialect) => {
  let t: TestApp;
  let rx: TestReceiver;
  beforeAll(async () => {
    rx = await startReceiver();
    t = await createTestApp({ dialect, fixture: webhookFixture(), now: NOW });
  });
  afterAll(async () => {
    await t.close();
    await rx.close();
  });

  it('sends a copy as a new delivery with its own webhook-id and the same body; the original is unchanged', async () => {
    const hook = await createHook(t, { scope: 'store/company/user/*', destination: rx.url('/hooks') });
    expect((await mgmt(t, 'PUT', '/users/124', { body: { firstName: 'Redelivered' } })).status).toBe(200);
    await drain(t);
    const [original] = await deliveries(t, { webhookId: hook.id as number });
    expect(original?.state).toBe('succeeded');
    expect(rx.received).toHaveLength(1);

    const res = await emulator(t, 'POST', `/_roster/webhooks/deliveries/${original?.id}/redeliver`);
    expect(res.status).toBe(201);
    const copy = res.body as unknown as Delivery;
    expect(copy.id).toMatch(UUID_LOWER);
    expect(copy.id).not.toBe(original?.id);
    expect(copy).toMatchObject({ webhookId: original?.webhookId, scope: original?.scope, destination: original?.destination, eventSeq: original?.eventSeq, payload: original?.payload, state: 'pending', attempts: [] });

    await drain(t);
    await rx.waitFor(2);
    const [first, second] = rx.received;
    expect(second?.body.toString()).toBe(first?.body.toString());
    expect(second?.headers['webhook-id']).toBe(copy.id);
    expect(first?.headers['webhook-id']).toBe(original?.id);

    const after = await deliveries(t, { webhookId: hook.id as number });
    expect(after.map((d) => d.id).sort()).toEqual([original?.id, copy.id].sort());
    expect(after.find((d) => d.id === copy.id)?.state).toBe('succeeded');
    expect(after.find((d) => d.id === original?.id)).toEqual(original);
  });

  it('a copy for a hook no longer active is cancelled, not sent; an unknown id is a 404', async () => {
    const hook = await createHook(t, { scope: 'store/company/*', destination: rx.url('/inactive') });
    expect((await mgmt(t, 'PUT', '/users/124', { body: { firstName: 'Again' } })).status).toBe(200);
    await drain(t);
    const [delivered] = await deliveries(t, { webhookId: hook.id as number });
    expect(delivered).toBeDefined();
    expect((await hooks(t, 'PUT', `/${hook.id}`, { body: { is_active: false } })).status).toBe(200);
    const before = rx.on('/inactive').length;
    const res = await emulator(t, 'POST', `/_roster/webhooks/deliveries/${delivered?.id}/redeliver`);
    expect(res.status).toBe(201);
    await drain(t);
    const copy = (await deliveries(t, { webhookId: hook.id as number })).find((d) => d.id === (res.body as unknown as Delivery).id);
    expect(copy?.state).toBe('cancelled');
    expect(rx.on('/inactive').length).toBe(before);

    const missing = await emulator(t, 'POST', '/_roster/webhooks/deliveries/00000000-0000-4000-8000-000000000000/redeliver');
    expect(missing.status).toBe(404);
    expect((missing.body as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });
});
