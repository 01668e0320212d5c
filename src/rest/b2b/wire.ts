import type { Company } from '../../domain/companies/company-types.js';
import type { CompanyUser, CompanyUserRef } from '../../domain/company-users/company-user-types.js';
import type { FieldErrors } from '../../domain/company-users/company-user-validation.js';
import { describeValue } from '../../shared/describe-value.js';
import { toUnixSecondsString } from '../../shared/clock.js';

/**
 * Domain → REST wire shapes and query/path parsing for the B2B storefront v2 routes.
 * Ids, roles, flags and timestamps are strings; pagination numbers are numbers (§3).
 */
export const DEFAULT_LIMIT = 10;
export const MAX_LIMIT = 250;

/** domain field → wire field in 422 details */
export const userFieldNames: Record<string, string> = { phone: 'phoneNumber' };

/** `/^\d+$/` only (§14 #31): anything else cannot exist. */
export function parsePathId(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,15}$/.test(value)) return undefined;
  return Number(value);
}

/** An id that no row can have: malformed path ids still go through the permission checks, then 404. */
export const NO_SUCH_ID = -1;

export function isBcIdFlag(value: unknown): boolean {
  const v = Array.isArray(value) ? value[0] : value;
  return v === '1' || v === 'true';
}

export function userRef(rawId: string | undefined, query: Record<string, unknown>): CompanyUserRef {
  const id = parsePathId(rawId) ?? NO_SUCH_ID;
  return isBcIdFlag(query.isBcId) ? { bcId: id } : { userId: id };
}

function first(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}

/** DRF-style leniency (§13 #12). */
export function parsePaging(query: Record<string, unknown>): { limit: number; offset: number } {
  const rawLimit = first(query.limit);
  const rawOffset = first(query.offset);
  // a decimal number of any length is a number (99999999999999999999 is over 250, so 250)
  let limit = typeof rawLimit === 'string' && /^\d+$/.test(rawLimit.trim()) ? Number(rawLimit.trim()) : DEFAULT_LIMIT;
  if (limit < 1) limit = DEFAULT_LIMIT;
  if (limit > MAX_LIMIT) limit = MAX_LIMIT;
  // an offset past every row is still an offset (an empty page), held to a safe integer
  const offset = typeof rawOffset === 'string' && /^\d+$/.test(rawOffset.trim()) ? Math.min(Number(rawOffset.trim()), Number.MAX_SAFE_INTEGER) : 0;
  return { limit, offset };
}

/** `role`, `role[]`: union of 0-4; missing or "" = all (§13 #4, §14 #19). Bad values go to `errors`. */
export function parseRoles(query: Record<string, unknown>, errors: FieldErrors): number[] | undefined {
  const values: unknown[] = [];
  for (const key of ['role', 'role[]']) {
    const v = query[key];
    if (v === undefined) continue;
    if (Array.isArray(v)) values.push(...v);
    else values.push(v);
  }
  const roles: number[] = [];
  for (const value of values) {
    // query values are strings (or lists of them); anything else is echoed bounded, never converted whole
    const text = typeof value === 'string' ? value.trim() : describeValue(value);
    if (text === '') continue;
    if (!/^[0-4]$/.test(text)) {
      (errors.role ??= []).push(`"${text}" is not a valid choice.`);
      continue;
    }
    roles.push(Number(text));
  }
  return roles.length > 0 ? [...new Set(roles)] : undefined;
}

/** unix seconds (string) → epoch ms bound; `end` makes the bound cover the whole second */
export function parseUnixSeconds(query: Record<string, unknown>, key: string, errors: FieldErrors, end: boolean): number | undefined {
  const value = first(query[key]);
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^\d{1,12}$/.test(value.trim())) {
    (errors[key] ??= []).push('A valid integer is required.');
    return undefined;
  }
  const ms = Number(value.trim()) * 1000;
  return end ? ms + 999 : ms;
}

export function stringParam(query: Record<string, unknown>, key: string): string | undefined {
  const value = first(query[key]);
  return typeof value === 'string' ? value : undefined;
}

export const roleString = (role: number): string => String(role);

export function userListItem(user: CompanyUser) {
  return {
    id: String(user.id),
    firstName: user.firstName,
    lastName: user.lastName,
    email: user.email,
    phoneNumber: user.phone,
    role: roleString(user.role),
    createdAt: toUnixSecondsString(user.createdAt),
    updatedAt: toUnixSecondsString(user.updatedAt),
    companyRoleId: user.companyRoleId === null ? null : String(user.companyRoleId),
    companyRoleName: user.companyRoleName,
  };
}

export function companyUserListItem(user: CompanyUser) {
  return {
    ...userListItem(user),
    // §6.7: every item carries uuid and catalogId; a user without a uuid gets the same empty value catalogId has
    uuid: user.uuid ?? '',
    catalogId: '',
  };
}

export function userDetail(user: CompanyUser) {
  return {
    roleId: roleString(user.role),
    userId: String(user.id),
    firstName: user.firstName,
    lastName: user.lastName,
    phoneNumber: user.phone,
    email: user.email,
    companyRoleId: user.companyRoleId === null ? null : String(user.companyRoleId),
    companyRoleName: user.companyRoleName,
  };
}

export function createdUser(user: CompanyUser) {
  return {
    userId: String(user.id),
    bcId: String(user.customerId),
    firstName: user.firstName,
    lastName: user.lastName,
    email: user.email,
    role: roleString(user.role),
    companyRoleId: user.companyRoleId === null ? null : String(user.companyRoleId),
    companyRoleName: user.companyRoleName,
  };
}

export function companyOfUser(company: Company) {
  return {
    companyId: String(company.id),
    companyName: company.name,
    bcGroupName: '',
    companyStatus: String(company.status),
    description: '',
    catalogId: '',
    // company.yaml types `extraFields` as an object holding an `extraFields` array; we follow the contract file
    extraFields: { extraFields: [] as { fieldName: string; fieldValue: string }[] },
    addressLine1: company.addressLine1 ?? '',
    addressLine2: company.addressLine2 ?? '',
    city: company.city ?? '',
    state: company.state ?? '',
    zipCode: company.zipCode ?? '',
    country: company.country ?? '',
  };
}

/** JSON or form body as a plain object; anything else is an empty object (then 422 on required fields). */
export function bodyObject(body: unknown): Record<string, unknown> {
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

/** A POST/PUT user body's fields in domain names (`phoneNumber` → `phone`); the service validates them. */
export function userFieldsOf(body: Record<string, unknown>) {
  return {
    email: body.email,
    firstName: body.firstName,
    lastName: body.lastName,
    phone: body.phoneNumber,
    role: body.role,
    companyRoleId: body.companyRoleId,
    uuid: body.uuid,
    extraFields: body.extraFields,
  };
}
