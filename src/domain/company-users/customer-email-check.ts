import type { Database } from '../../db/database.js';
import { findCustomerByEmail } from '../customers/customer-repository.js';
import { isValidEmail } from './company-user-validation.js';

/**
 * Registration's "is this e-mail free?" (B2B GraphQL `customerEmailCheck`, no token): 1 no customer
 * has it, 2 a customer of the store has it, 3 a customer has it but signed up on another channel
 * (its origin channel differs from `channelId`). Added by the GraphQL helper: the company-users
 * service covers the token-bound `userEmailCheck` only. Says nothing about Company users on purpose:
 * an anonymous caller learns only what BigCommerce's own registration form reveals.
 */
export type CustomerEmailCheckType = 1 | 2 | 3;

export async function checkCustomerEmail(
  database: Database,
  query: { storeHash: string; email: string; channelId?: number | null },
): Promise<CustomerEmailCheckType> {
  if (!isValidEmail(query.email)) return 1;
  const customer = await findCustomerByEmail(database.kysely, query.storeHash, query.email);
  if (!customer) return 1;
  const channelId = query.channelId ?? null;
  if (channelId !== null && customer.originChannelId !== null && customer.originChannelId !== channelId) return 3;
  return 2;
}
