import type { EmailUserTypeCode } from './email-user-type.js';
/**
 * Domain shapes of the Company users feature, shared by the REST and GraphQL edges.
 * camelCase, numbers as numbers, timestamps in epoch milliseconds. Each edge formats its own wire shape.
 */
export interface ExtraField {
  fieldName: string;
  fieldValue: string;
}

export interface CompanyUser {
  /** B2B Company user id (`userId`) */
  id: number;
  storeHash: string;
  companyId: number;
  /** BigCommerce customer id (`bcId`) */
  customerId: number;
  email: string;
  firstName: string;
  lastName: string;
  phone: string;
  /** 0 Admin, 1 Senior Buyer, 2 Junior Buyer (also every custom-role user), 3 Super Admin, 4 unknown */
  role: number;
  /** the effective role id: a custom role's id, else 0/1/2 for a predefined role, null for roles 3/4 */
  companyRoleId: number | null;
  /** that role's name (`Admin`, `Senior Buyer`, `Junior Buyer` or the custom name), null for 3/4 */
  companyRoleName: string | null;
  /** true when `companyRoleId` is a custom role */
  hasCustomRole: boolean;
  uuid: string | null;
  /** origin / only storefront channel */
  channelId: number | null;
  extraFields: ExtraField[];
  createdAt: number;
  updatedAt: number;
}

/** How to name one user: by B2B user id, or by BigCommerce customer id (`isBcId`, never guessed). */
export type CompanyUserRef = { userId: number } | { bcId: number };

/**
 * Paging. Order is always id descending (newest first, §13 #13).
 * - Offset paging (REST, GraphQL `offset`): `{ limit, offset }`.
 * - Keyset (GraphQL cursors): `afterId` = only ids below it (further down the list), `beforeId` =
 *   only ids above it; `fromEnd` = take the last `limit` of that window (GraphQL `last`).
 *   `offset` applies after the cursor window.
 */
export interface UserPaging {
  limit: number;
  offset?: number;
  afterId?: number;
  beforeId?: number;
  fromEnd?: boolean;
}

export interface ListCompanyUsersQuery {
  /** the Company to list; default the caller's own (REST `GET /users`) */
  companyId?: number;
  /** case-insensitive substring of firstName, lastName, "first last", email (REST `q`, GraphQL `search`) */
  search?: string;
  /** case-insensitive exact matches (GraphQL) */
  email?: string;
  firstName?: string;
  lastName?: string;
  /** role values 0-4, the union (§14 #19); 2 includes custom-role users */
  roles?: readonly number[];
  /** exact role: 0/1/2 = that predefined role only; otherwise a custom role id */
  companyRoleId?: number;
  /** epoch ms, inclusive */
  createdFrom?: number;
  createdTo?: number;
  updatedFrom?: number;
  updatedTo?: number;
  paging: UserPaging;
  /**
   * Field errors the edge found while parsing its query (e.g. `role=9`): thrown as
   * B2B_PARAMETER_ERROR only after the permission and scope checks (§14 #10 order).
   */
  invalid?: Record<string, string[]>;
}

/**
 * What an answer shows of a Company's users, for answer caches (http/answer-cache.ts): these users
 * (and MEMBERSHIP_CHANGED when it shows who is in the Company), or null when any change in the
 * Company may change it; `alsoIf`: users outside `items` a change may have made part of it.
 */
export interface CompanyUsersShown {
  companyId: number;
  items: readonly number[] | null;
  alsoIf?: (item: number) => boolean;
}

export interface CompanyUserPage {
  items: CompanyUser[];
  /** the whole filtered set (cursor windows and offset ignored) */
  totalCount: number;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  /** echo of the effective paging */
  offset: number;
  limit: number;
  /**
   * What the page shows of its Company: the users it holds and the Company's membership when
   * unfiltered; a search or role filter answered by the Company's read model (company-user-views.ts)
   * every user it matched, the membership, and (`alsoIf`) any other user a change may have made
   * match; otherwise null items (any change in the Company may change it).
   */
  dependsOn?: CompanyUsersShown;
}

/**
 * Create input. Values are as received from the wire and are validated by the service after the
 * permission checks (§14 #10 order): ids and roles may be numbers or numeric strings (§13 #23).
 * Field names are the domain's (`phone`, not `phoneNumber`); 422 details use these names and each
 * edge renames keys it spells differently.
 */
export interface CreateCompanyUserInput {
  companyId: unknown;
  email: unknown;
  firstName: unknown;
  lastName: unknown;
  /** required on REST (may be ""), optional on GraphQL (default "") */
  phone?: unknown;
  /** 0/1/2; ignored when `companyRoleId` is given */
  role?: unknown;
  /** overrides `role` (§13 #5): 0/1/2 or a custom role id */
  companyRoleId?: unknown;
  uuid?: unknown;
  extraFields?: unknown;
  /** channel to assign; default the token's channel (§13 #20) */
  channelId?: number | null;
}

/** Update input; `mode: 'replace'` (REST PUT) requires firstName, lastName, email, phone, role/companyRoleId. */
export interface UpdateCompanyUserInput {
  email?: unknown;
  firstName?: unknown;
  lastName?: unknown;
  phone?: unknown;
  role?: unknown;
  companyRoleId?: unknown;
  uuid?: unknown;
  extraFields?: unknown;
}

export interface EmailCheckUserInfo {
  /** the Company user id, or the customer id when only a customer exists */
  id: number;
  email: string;
  firstName: string;
  lastName: string;
  phoneNumber: string;
  /** null for a customer without a Company user */
  role: number | null;
  companyId: number | null;
  companyName: string | null;
  originChannelId: number | null;
  forcePasswordReset: boolean;
}

export interface EmailCheckResult {
  /** REST: 0 = Company user and customer, 1 = neither, 2 = customer only */
  isValid: 0 | 1 | 2;
  /**
   * GraphQL: 1 not exist, 2 B2C customer, 3 several B2C customers (never: one store, unique e-mails),
   * 4 user of another Company, 5 user of this Company, 6 Super Admin, 7 this Company, other channel
   */
  userType: EmailUserTypeCode;
  /** null when nothing exists */
  userInfo: EmailCheckUserInfo | null;
}

/**
 * Side effects other parts may record (the emulator's outbox, webhooks). Never sent over the
 * network by the domain. `user.welcome` is the welcome e-mail of §6.2 / §13 #17.
 */
export type CompanyUserEvent =
  | { type: 'store/company/user/created' | 'store/company/user/updated' | 'store/company/user/deleted'; storeHash: string; companyId: number; userId: number; at: number }
  | { type: 'user.welcome'; storeHash: string; companyId: number; userId: number; customerId: number; email: string; at: number }
  | CompanyNotice;

/** Companies' notifications (the Management API's writes; b2b-management-rest.md §11) */
export interface CompanyNotice {
  type: 'store/company/created' | 'store/company/updated' | 'store/company/deleted' | 'store/company/statusUpdated';
  storeHash: string;
  companyId: number;
  at: number;
}

export type CompanyUserEventSink = (event: CompanyUserEvent) => void;
