import type { StoreRef } from '../../domain/stores/store-repository.js';
import { AppError } from '../../shared/errors.js';

/**
 * Global IDs of the Account API (account-graphql.md §5): plain `bc/account/<type>/<key>` strings.
 * Wire formats live here only; the domain sees numbers, hashes and UUIDs.
 */
export const MAX_ID = 2_147_483_647;

export const accountGlobalId = (uuid: string): string => `bc/account/account/${uuid}`;
export const userGlobalId = (id: number): string => `bc/account/user/${id}`;
export const storeGlobalId = (hash: string): string => `bc/account/store/${hash}`;
export const appGlobalId = (id: number): string => `bc/account/app/${id}`;

const USER_ID = /^bc\/account\/user\/(\d{1,10})$/;
const STORE_ID = /^bc\/account\/store\/([a-z0-9]{1,32})$/;

/** `bc/account/user/{id}`; anything else is "Invalid id" (§11 #11). */
export function parseUserGlobalId(value: string): number {
  const match = USER_ID.exec(value);
  const id = match ? Number(match[1]) : Number.NaN;
  if (!(id >= 1 && id <= MAX_ID)) throw new AppError('INVALID_ID');
  return id;
}

/**
 * `bc/account/store/{store_hash}`, also `bc/account/store/{numeric store_id}` (§10 #9). An all-digit
 * key could be either: the store lookup tries both.
 */
export function parseStoreGlobalId(value: string): StoreRef {
  const match = STORE_ID.exec(value);
  if (!match) throw new AppError('INVALID_ID');
  const key = match[1] as string;
  if (/^\d+$/.test(key)) {
    const asNumber = Number(key);
    return asNumber >= 1 && asNumber <= MAX_ID ? { hashOrId: key } : { hash: key };
  }
  return { hash: key };
}
