import type { Kysely } from 'kysely';
import type { DB } from '../../db/tables.js';
import { describeValue } from '../../shared/describe-value.js';
import { findRoleSummary } from '../company-roles/company-role-service.js';
import { isPredefinedRoleId } from '../company-roles/role-defaults.js';
import { addError, type FieldErrors, messages, parseWholeNumber } from './company-user-validation.js';

/**
 * The role a Company-user write asks for (b2b-users-rest.md §13 #5, §14 #8, #25): `companyRoleId`
 * (a predefined 0-2 or a custom role of the store) wins over `role` (0-2). Refusals are added to
 * `errors` in the field's own words; undefined then, or when an update leaves the role as it is.
 */
export interface ResolvedRole {
  role: number;
  customRoleId: number | null;
}

export async function resolveRole(
  db: Kysely<DB>,
  storeHash: string,
  errors: FieldErrors,
  input: { role?: unknown; companyRoleId?: unknown },
  required: boolean,
  missingRole: 'field' | 'nonField',
): Promise<ResolvedRole | undefined> {
  const hasCompanyRole = input.companyRoleId !== undefined && input.companyRoleId !== null && input.companyRoleId !== '';
  if (hasCompanyRole) {
    const id = parseWholeNumber(input.companyRoleId);
    if (id === undefined) {
      addError(errors, 'companyRoleId', messages.integer);
      return undefined;
    }
    if (isPredefinedRoleId(id)) return { role: id, customRoleId: null };
    const found = await findRoleSummary(db, storeHash, id);
    if (!found) {
      addError(errors, 'companyRoleId', messages.rolePk(String(id)));
      return undefined;
    }
    return { role: 2, customRoleId: id };
  }
  if (input.role === undefined || input.role === null) {
    if (!required) return undefined;
    if (input.role === null) addError(errors, 'role', messages.null);
    else if (missingRole === 'nonField') addError(errors, 'non_field_errors', messages.mustHaveRole);
    else addError(errors, 'role', messages.required);
    return undefined;
  }
  const role = parseWholeNumber(input.role);
  if (role === undefined || !isPredefinedRoleId(role)) {
    addError(errors, 'role', messages.role(describeValue(input.role)));
    return undefined;
  }
  return { role, customRoleId: null };
}

