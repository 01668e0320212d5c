import type { ManagedUser } from '../../domain/company-users/management-users.js';
import { pythonType } from '../../domain/company-users/management-user-validation.js';
import { AppError } from '../../shared/errors.js';

/**
 * Wire conversions of the Management API (b2b-management-rest.md §3.3-§3.5, §4.1): paging, query
 * values, path ids and the user object, in the key order of §4.1.
 */
export type Query = Record<string, unknown>;

const MAX_LIMIT = 250;
const DEFAULT_LIMIT = 10;

/** The last value of a query parameter given once or several times (§14 #5). */
export function lastValue(query: Query, name: string): string | undefined {
  const value = query[name];
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return typeof last === 'string' ? last : undefined;
}

/** Every value of a list parameter: repeated, `name[]`, and comma-separated (§14 #6). */
export function listValues(query: Query, name: string): string[] {
  const out: string[] = [];
  for (const key of [name, `${name}[]`]) {
    const value = query[key];
    const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
    for (const item of values) if (typeof item === 'string') out.push(...item.split(','));
  }
  return out.map((v) => v.trim()).filter((v) => v !== '');
}

/** §3.3: lenient paging; the effective values are echoed in `meta.pagination`. */
export function parsePaging(query: Query): { limit: number; offset: number } {
  const limitText = lastValue(query, 'limit')?.trim();
  const offsetText = lastValue(query, 'offset')?.trim();
  let limit = limitText !== undefined && /^\d+$/.test(limitText) ? Number(limitText) : DEFAULT_LIMIT;
  if (!(limit >= 1)) limit = DEFAULT_LIMIT;
  if (limit > MAX_LIMIT) limit = MAX_LIMIT;
  let offset = offsetText !== undefined && /^\d+$/.test(offsetText) ? Number(offsetText) : 0;
  if (!Number.isSafeInteger(offset)) offset = Number.MAX_SAFE_INTEGER;
  return { limit, offset };
}

/** A query integer (a sign allowed), or undefined when it is not one. */
export function queryInteger(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^[-+]?\d{1,15}$/.test(trimmed)) return undefined;
  return Number(trimmed);
}

/** §3.5: a path id is `[0-9]+` within 2^53-1 (leading zeros allowed); anything else is the resource's 404. */
export function pathId(value: unknown, notFound: () => AppError): number {
  const text = typeof value === 'string' ? value : '';
  if (!/^\d+$/.test(text)) throw notFound();
  const id = Number(text);
  if (!Number.isSafeInteger(id)) throw notFound();
  return id;
}

/** The body of a single-object endpoint; `{}` when empty. Users: 422 non_field_errors otherwise (§14 #20). */
export function bodyRecord(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
  throw new AppError('B2B_PARAMETER_ERROR', undefined, { fields: { non_field_errors: [`Invalid data. Expected a dictionary, but got ${pythonType(body)}.`] } });
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/** §4.1, keys in its order; `extraFields` only when asked for. */
export function managementUser(managed: ManagedUser, withExtraFields: boolean): Record<string, unknown> {
  const { user, channels } = managed;
  return {
    id: user.id,
    companyId: user.companyId,
    firstName: user.firstName,
    lastName: user.lastName,
    email: user.email,
    phoneNumber: user.phone ?? '',
    role: user.hasCustomRole ? 2 : user.role,
    companyRoleId: user.companyRoleId ?? user.role,
    companyRoleName: user.companyRoleName ?? '',
    uuid: user.uuid ?? '',
    customerId: user.customerId,
    channelList: channels.map((c) => ({ channelId: c.id, channelName: c.name, iconUrl: c.iconUrl })),
    ...(withExtraFields ? { extraFields: user.extraFields.map((f) => ({ fieldName: f.fieldName, fieldValue: f.fieldValue })) } : {}),
    createdAt: seconds(user.createdAt),
    updatedAt: seconds(user.updatedAt),
  };
}
