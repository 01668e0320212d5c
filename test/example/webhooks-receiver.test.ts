import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// In your project: import { startRoster, startWebhookReceiver, ... } from 'roster/testing';
import { type Roster, type RosterFork, startRoster, startWebhookReceiver, type WebhookReceiver } from '../../src/testing.js';

/**
 * An example: test the code that receives BigCommerce's B2B webhooks. Register a hook through the
 * same API an app uses on BigCommerce (`/stores/{hash}/v3/hooks`), make a change through the
 * storefront API, and receive the signed call; then let Roster's clock replay BigCommerce's retry
 * schedule in one step. The demo store's API account signs with its client secret.
 */
const STORE = 'f0qyczpkb2';
const CLIENT_SECRET = 'demo-b2b-client-secret';

/** What your receiver does: verify the signature (Standard Webhooks, as BigCommerce's samples), then parse. */
function verify(received: { headers: Record<string, string>; body: string }, now: Date): { scope: string; data: Record<string, number> } {
  const wh = new Webhook(Buffer.from(CLIENT_SECRET).toString('base64'));
  // the library checks webhook-timestamp against its own clock: a frozen Roster clock needs the same instant
  const realNow = Date.now;
  Date.now = () => now.getTime();
  try {
    return wh.verify(received.body, received.headers) as { scope: string; data: Record<string, number> };
  } finally {
    Date.now = realNow;
  }
}

describe('receiving B2B webhooks from Roster', () => {
  let roster: Roster;
  let world: RosterFork;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    roster = await startRoster(); // the demo world, in-memory SQLite, a free port
  });
  afterAll(async () => roster.close());
  beforeEach(async () => {
    world = await roster.fork();
    receiver = await startWebhookReceiver();
  });
  afterEach(async () => {
    await receiver.close();
    await world.close();
  });

  async function register(scope: string): Promise<number> {
    const res = await fetch(`${world.url}/stores/${STORE}/v3/hooks`, {
      method: 'POST',
      headers: { 'X-Auth-Token': roster.tokens['demo-b2b-modify'] as string, 'Content-Type': 'application/json' },
      body: JSON.stringify({ scope, destination: receiver.url, is_active: true }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { data: { id: number } }).data.id;
  }

  it('a user created through the storefront API arrives signed, with the B2B user id', async () => {
    await register('store/company/user/created');
    const token = await world.b2bToken({ email: 'm.curie@greatbuys.com' });
    const created = await fetch(`${world.b2bUrl}/api/v2/users`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ companyId: 123456, email: 'new.buyer@greatbuys.com', firstName: 'New', lastName: 'Buyer', phoneNumber: '', role: 2 }),
    });
    expect(created.status).toBe(200);
    const userId = Number(((await created.json()) as { data: { userId: string } }).data.userId);

    await world.webhooks.drain();
    const [call] = await receiver.waitFor(1);
    const clock = await roster.clock.now();
    const payload = verify(call as NonNullable<typeof call>, clock);
    expect(payload.scope).toBe('store/company/user/created');
    expect(payload.data).toEqual({ company_id: 123456, user_id: userId });
    // a tampered body is refused by the same verifier
    expect(() => verify({ ...(call as NonNullable<typeof call>), body: (call as NonNullable<typeof call>).body.replace('123456', '123457') }, clock)).toThrow();
  });

  it('a receiver that fails gets BigCommerce\'s retries on Roster\'s clock, and the rest once it recovers', async () => {
    await roster.clock.freeze();
    try {
      const hookId = await register('store/company/user/*');
      receiver.respondWith(500);
      const token = await world.b2bToken({ email: 'm.curie@greatbuys.com' });
      await fetch(`${world.b2bUrl}/api/v2/users/124`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'p.curie@greatbuys.com', firstName: 'Pierre', lastName: 'Renamed', phoneNumber: '8001234568', role: 1 }),
      });
      await world.webhooks.drain();
      expect(receiver.received).toHaveLength(1); // attempt 1 failed

      await roster.clock.advance(60_000 + 180_000); // attempts 2 and 3 fall due (60 s, then 180 s later)
      await world.webhooks.drain();
      expect(receiver.received).toHaveLength(3);

      receiver.respondWith(200);
      await roster.clock.advance(300_000);
      await world.webhooks.drain();
      const [delivery] = await world.webhooks.deliveries({ webhookId: hookId });
      expect(delivery?.state).toBe('succeeded');
      expect(delivery?.attempts.map((a) => a.outcome)).toEqual(['failed', 'failed', 'failed', 'succeeded']);
      // every retry carries the same webhook-id and hash
      expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
      expect(new Set(receiver.received.map((r) => (r.json as { hash: string }).hash)).size).toBe(1);
    } finally {
      await roster.clock.real();
    }
  });
});
