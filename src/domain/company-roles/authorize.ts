import { actingCompanyId, type B2bPrincipal } from './b2b-principal.js';

/**
 * The B2B permission policy (b2b-users-rest.md §7, §13 #7-#10, §14 #10) as a pure function that
 * returns a decision; services turn `forbidden` into 403 (B2B_FORBIDDEN) and `outOfScope` into a
 * 404 of the resource (or 403 where the spec says so, e.g. `companyId` in a create body).
 *
 * Levels: 1 = the caller's own records, 2 = the caller's Company, 3 = the Company and its
 * subsidiaries (`companies.parent_id`, any depth). A B2C customer, a Super Admin not masquerading,
 * or a caller whose Company is not approved (status ≠ 1) is `forbidden` for everything.
 */
export interface AuthorizeTarget {
  /** the Company the target record belongs to */
  companyId: number;
  /** the target user, for actions on one user (level 1 allows only the caller's own id) */
  userId?: number;
  /** the target Company's status when known: an in-scope Company that is not approved is `forbidden` */
  companyStatus?: number;
}

export type AuthorizeDecision =
  | {
      allowed: true;
      /** the level the caller holds for the code */
      level: number;
      /** level 1 on a list: the caller may only see their own record */
      ownRecordsOnly: boolean;
    }
  | { allowed: false; reason: 'forbidden' | 'outOfScope' };

const FORBIDDEN: AuthorizeDecision = { allowed: false, reason: 'forbidden' };
const OUT_OF_SCOPE: AuthorizeDecision = { allowed: false, reason: 'outOfScope' };

/** `target === null`: only "may this caller use this code at all" (the 403 stage of §14 #10). */
export function authorize(principal: B2bPrincipal, code: string, target: AuthorizeTarget | null): AuthorizeDecision {
  if (principal.kind !== 'companyUser') return FORBIDDEN;
  const acting = actingCompanyId(principal);
  if (acting === null) return FORBIDDEN;
  if (principal.companyStatus !== 1) return FORBIDDEN;
  const level = principal.permissions.get(code);
  if (level === undefined || level < 1 || level > 3) return FORBIDDEN;
  if (target === null) return { allowed: true, level, ownRecordsOnly: false };

  let inScope: boolean;
  let ownRecordsOnly = false;
  if (level === 3) inScope = target.companyId === acting || principal.subsidiaryIds.has(target.companyId);
  else if (level === 2) inScope = target.companyId === acting;
  else {
    inScope = target.companyId === acting && (target.userId === undefined || target.userId === principal.userId);
    ownRecordsOnly = target.userId === undefined;
  }
  if (!inScope) return OUT_OF_SCOPE;
  if (target.companyStatus !== undefined && target.companyStatus !== 1) return FORBIDDEN;
  return { allowed: true, level, ownRecordsOnly };
}
