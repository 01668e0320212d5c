import { createHash, createHmac } from 'node:crypto';

/**
 * What a delivery sends (webhooks.md §3, §5.2): the compact JSON body with its SHA-1 `hash`, and the
 * Standard Webhooks signature made with the owning API account's client secret.
 */
export interface WebhookEvent {
  scope: string;
  /** the store's numeric id, as a string */
  storeId: string;
  storeHash: string;
  /** §3.2, keys in their documented order */
  data: Record<string, number>;
  /** unix seconds of the commit, Roster's clock */
  createdAt: number;
}

/** §3.3: lower-case hex SHA-1 of `{scope, store_id, data, created_at, producer}` as compact JSON. */
export function payloadHash(event: WebhookEvent): string {
  const hashed = JSON.stringify({ scope: event.scope, store_id: event.storeId, data: event.data, created_at: event.createdAt, producer: `stores/${event.storeHash}` });
  return createHash('sha1').update(hashed, 'utf8').digest('hex');
}

/** §3.4: the body, keys `scope, store_id, data, hash, created_at, producer`, compact, no newline. */
export function payloadBody(event: WebhookEvent): string {
  return JSON.stringify({
    scope: event.scope,
    store_id: event.storeId,
    data: event.data,
    hash: payloadHash(event),
    created_at: event.createdAt,
    producer: `stores/${event.storeHash}`,
  });
}

/** §5.2: `v1,` + base64(HMAC-SHA256(UTF-8 client secret, `id.timestamp.body`)). */
export function signWebhook(clientSecret: string, webhookId: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', Buffer.from(clientSecret, 'utf8')).update(`${webhookId}.${timestamp}.${body}`, 'utf8').digest('base64');
  return `v1,${mac}`;
}

/** A delivery id: a lower-case UUID made from an opaque id (seeded under --deterministic). */
export function deliveryUuid(opaque: string): string {
  const hex = createHash('sha256').update(opaque).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((Number.parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

/** §6.1: seconds from one attempt's due time to the next one's (index = attempts made so far). */
export const RETRY_INTERVALS_S = [60, 180, 300, 600, 900, 1800, 3600, 7200, 21600, 50400, 86400] as const;
export const MAX_ATTEMPTS = RETRY_INTERVALS_S.length + 1;
