import { createHash, timingSafeEqual } from 'node:crypto';
import { isLoopbackHost } from '../shared/loopback.js';

/**
 * Who may use the emulator controls (/_roster/...). On a loopback address they are on by default
 * (only this machine can reach them); on any other address only with an admin token. An admin token,
 * when given, is required on every admin request, loopback or not. BigCommerce credentials
 * (X-Auth-Token, storefront JWTs) never open it: only `Authorization: Bearer <admin token>` does.
 */
export interface AdminAccess {
  enabled: boolean;
  /** required as `Authorization: Bearer <token>` when set */
  token: string | undefined;
  /** why it is off (shown in the start-up banner) */
  reason?: string;
}

export { isLoopbackHost };

export function resolveAdminAccess(options: { host: string; adminToken?: string | undefined }): AdminAccess {
  const token = options.adminToken === '' ? undefined : options.adminToken;
  if (token !== undefined) return { enabled: true, token };
  if (isLoopbackHost(options.host)) return { enabled: true, token: undefined };
  return { enabled: false, token: undefined, reason: `listening on ${options.host} (not loopback) without --admin-token` };
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Constant-time check of an Authorization header against the admin token. */
export function isAdminAuthorized(access: AdminAccess, authorization: string | string[] | undefined): boolean {
  if (!access.enabled) return false;
  if (access.token === undefined) return true;
  const value = Array.isArray(authorization) ? authorization[0] : authorization;
  const m = value === undefined ? null : /^\s*Bearer\s+(\S+)\s*$/i.exec(value);
  const given = m?.[1] ?? '';
  // hash both sides: equal lengths for timingSafeEqual, and no early exit on length
  return timingSafeEqual(digest(given), digest(access.token)) && given.length > 0;
}
