/**
 * Who is calling a B2B storefront API, as re-read from storage for this request (never from the
 * token's claims alone). Built by `src/auth/b2b-tokens.ts`; consumed by every B2B domain service
 * and by `authorize()`. Tokens carry no permissions, so role changes and deletions apply at once.
 */
export type PermissionMap = ReadonlyMap<string, number>;

interface PrincipalBase {
  storeHash: string;
  /** the BigCommerce customer id (bcId) */
  customerId: number;
  email: string;
  /** the token's channel (`bc_channel_id`), null when the token had none */
  channelId: number | null;
  /** the token's `jti` */
  tokenId: string;
  /**
   * The data version the request took before this principal was read (db/data-version.ts), or
   * undefined (do not cache). The domain keys what it reads for this request by it when it has no
   * cheaper reading of its own (on PostgreSQL).
   */
  readVersion?: string | undefined;
}

/** A B2C customer with no Company user: may sign in, may not use user endpoints (403). */
export interface B2bCustomerPrincipal extends PrincipalBase {
  kind: 'customer';
}

export interface B2bCompanyUserPrincipal extends PrincipalBase {
  kind: 'companyUser';
  /** the B2B Company user id */
  userId: number;
  /** the user's own Company */
  companyId: number;
  /** 0 Admin, 1 Senior Buyer, 2 Junior Buyer (and custom roles), 3 Super Admin, 4 unknown */
  role: number;
  /** custom role id, null for a predefined role */
  companyRoleId: number | null;
  /** the Company whose status governs access: the own one, or the masqueraded one for a Super Admin */
  companyStatus: number;
  /** Super Admin only: the Company being masqueraded as (we do not model masquerading yet: always null) */
  masqueradingCompanyId: number | null;
  /** effective permission code → level (1 own records, 2 Company, 3 Company and subsidiaries) */
  permissions: PermissionMap;
  /**
   * Every Company below the acting Company (children, grandchildren, ...). Loaded only when some
   * permission has level 3; otherwise empty.
   */
  subsidiaryIds: ReadonlySet<number>;
}

export type B2bPrincipal = B2bCustomerPrincipal | B2bCompanyUserPrincipal;

/** The Company a principal acts for (the masqueraded one for a Super Admin), or null. */
export function actingCompanyId(principal: B2bPrincipal): number | null {
  if (principal.kind !== 'companyUser') return null;
  if (principal.role === 3) return principal.masqueradingCompanyId;
  return principal.companyId;
}
