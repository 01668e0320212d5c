import type { CompanyUser } from './company-user-types.js';

/**
 * `userEmailCheck.userType` (b2b-graphql/README.md): what an e-mail already is in the store, from
 * the point of view of a Company and a channel. The Buyer Portal lets "add" go on for NOT_FOUND,
 * B2C_CUSTOMER and THIS_COMPANY_OTHER_CHANNEL and shows an error for the others.
 */
export const EmailUserType = {
  NOT_FOUND: 1,
  B2C_CUSTOMER: 2,
  /** never in Roster: e-mails are unique in a store */
  SEVERAL_B2C_CUSTOMERS: 3,
  OTHER_COMPANY: 4,
  THIS_COMPANY: 5,
  SUPER_ADMIN: 6,
  THIS_COMPANY_OTHER_CHANNEL: 7,
} as const;

export type EmailUserTypeCode = (typeof EmailUserType)[keyof typeof EmailUserType];

/** The role number of a Super Admin (users.role 3, §13 #4). */
const SUPER_ADMIN_ROLE = 3;

/** The type of an e-mail that belongs to a Company user, for a Company and (optionally) a channel. */
export function companyUserEmailType(user: CompanyUser, companyId: number | null | undefined, channelId: number | undefined): EmailUserTypeCode {
  if (user.role === SUPER_ADMIN_ROLE) return EmailUserType.SUPER_ADMIN;
  if (user.companyId !== companyId) return EmailUserType.OTHER_COMPANY;
  if (channelId !== undefined && user.channelId !== null && user.channelId !== channelId) return EmailUserType.THIS_COMPANY_OTHER_CHANNEL;
  return EmailUserType.THIS_COMPANY;
}
