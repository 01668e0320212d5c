/**
 * Values that cannot exist in storage are answered without asking the database: ids beyond the
 * 32-bit `integer` columns (PostgreSQL would raise "out of range") and text holding NUL characters
 * (PostgreSQL rejects them). Client input must never turn into a 5xx.
 */
export const MAX_STORED_ID = 2_147_483_647;

export function isStorableId(id: number): boolean {
  return Number.isSafeInteger(id) && id >= 0 && id <= MAX_STORED_ID;
}

export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && text.length <= 100_000;
}

export const STORE_HASH = /^[A-Za-z0-9_-]{1,64}$/;

export function isStorableStoreHash(storeHash: string): boolean {
  return STORE_HASH.test(storeHash);
}
