import { authResolvers } from './auth-type.js';
import type { B2bResolverMap } from './b2b-schema.js';
import { companyRoleResolvers } from './company-role-type.js';
import { companyResolvers } from './company-type.js';
import { emailCheckResolvers } from './email-check-type.js';
import { extraFieldsResolvers } from './extra-fields-type.js';
import { userResolvers } from './user-type.js';

/** Every resolver of the B2B schema, one map per GraphQL type file. */
export const b2bResolvers: readonly B2bResolverMap[] = [
  authResolvers,
  userResolvers,
  companyResolvers,
  companyRoleResolvers,
  emailCheckResolvers,
  extraFieldsResolvers,
];
