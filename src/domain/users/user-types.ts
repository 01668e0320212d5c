import type { MemberStatus } from '../../db/tables.js';

export type { MemberStatus };

/** A person, platform-wide (one per e-mail address). */
export interface User {
  id: number;
  email: string;
  firstName: string | null;
  lastName: string | null;
  locale: string | null;
  /** platform-wide status */
  status: MemberStatus;
  /** last sign-in anywhere, epoch ms */
  lastLoginAt: number | null;
  updatedAt: number;
}

/** A user seen through one account membership (account-graphql.md §10 #18). */
export interface AccountMember extends User {
  /** the account-level membership status replaces the platform one */
  status: MemberStatus;
}

/** A user seen through one store membership: status, permissions, last sign-in of that store. */
export interface StoreMember extends User {
  storeId: number;
  permissions: string[];
}

export interface App {
  id: number;
  name: string | null;
}

/** A store membership as it was when it was removed (§11 #9). */
export interface RemovedStoreMember extends StoreMember {
  apps: App[];
}
