import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The API request a piece of work runs for, carried through its async calls: what the domain's
 * records (journal events, webhook deliveries) name as their `requestId`, without passing the
 * request down through every service. Set once per request by the app (onRequest).
 */
const storage = new AsyncLocalStorage<{ requestId: string; memo?: Map<object, unknown> }>();

export function runInRequest<T>(requestId: string, work: () => T): T {
  return storage.run({ requestId }, work);
}

/**
 * Values kept for the rest of the current request, by owner (e.g. a storage reading taken once per
 * request, db/tenant-ledger.ts), or undefined outside a request.
 */
export function requestMemo(): Map<object, unknown> | undefined {
  const scope = storage.getStore();
  if (!scope) return undefined;
  if (!scope.memo) scope.memo = new Map();
  return scope.memo;
}

/** the id of the request this code runs for, or undefined (start-up, background work) */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}
