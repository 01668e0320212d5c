import type { DialectName } from '../../src/db/database.js';
import type { FuzzRequest } from './reliability-fuzz.js';

/**
 * Inputs that currently break a guarantee, found by the reliability suites and reported to the
 * lead. The generators still produce them; the fuzz harness leaves them out (and counts them) so
 * the committed suite stays green. When a fix lands, delete its entry: the fuzzers then cover it.
 */
export interface KnownBug {
  id: string;
  description: string;
  dialects: readonly DialectName[];
  matches(request: FuzzRequest): boolean;
}

const text = (r: FuzzRequest) => `${r.url}\n${typeof r.payload === 'string' ? r.payload : ''}`;

export const knownBugs: readonly KnownBug[] = [
  {
    id: 'bad-percent-encoding',
    description: 'a path with invalid percent-encoding (%FF, %zz, a lone %) gets Fastify\'s own 400 body (FST_ERR_BAD_URL), not the API\'s error format',
    dialects: ['sqlite', 'postgres'],
    matches: (r) => {
      const path = r.url.split('?')[0] ?? '';
      try {
        decodeURIComponent(path);
        return false;
      } catch {
        return true;
      }
    },
  },
  {
    id: 'sqlite-long-like-pattern',
    description: 'B2B users search text over ~50,000 UTF-8 bytes (REST q, GraphQL search/email/firstName/lastName) fails with "LIKE or GLOB pattern too complex": HTTP 500 / code 500',
    dialects: ['sqlite'],
    matches: (r) => !r.url.startsWith('/accounts/') && Buffer.byteLength(text(r)) > 48_000,
  },
  {
    id: 'postgres-nul-character',
    description: 'Account API on PostgreSQL: an e-mail containing U+0000 (addUserToAccount, addUserToStore user.email, removeUserFromAccount, users filters.email) fails with INTERNAL_SERVER_ERROR',
    dialects: ['postgres'],
    matches: (r) => r.url.startsWith('/accounts/') && /\\u0000|%00|\u0000/.test(text(r)),
  },
  {
    id: 'postgres-int4-overflow',
    description: 'B2B GraphQL on PostgreSQL: users(companyRoleId: <Decimal of 2^31 or more>) reaches an int4 column: masked error code 500',
    dialects: ['postgres'],
    matches: (r) => r.url.startsWith('/graphql') && (text(r).match(/\d{10,}/g) ?? []).some((digits) => Number(digits) >= 2 ** 31),
  },
];

export function knownBugOf(request: FuzzRequest, dialect: DialectName): KnownBug | undefined {
  return knownBugs.find((bug) => bug.dialects.includes(dialect) && bug.matches(request));
}
