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

/** The last value of a query parameter of a request URL (as the Management API reads repeated parameters). */
function lastQueryValue(r: FuzzRequest, name: string): string | undefined {
  const query = r.url.split('?')[1];
  if (query === undefined) return undefined;
  let last: string | undefined;
  for (const part of query.split('&')) {
    const [key, value = ''] = part.split('=');
    try {
      if (decodeURIComponent(key ?? '') === name) last = decodeURIComponent(value);
    } catch {
      // not decodable: Fastify's parser keeps it as is, which is no integer either
    }
  }
  return last;
}

export const knownBugs: readonly KnownBug[] = [
  {
    id: 'management-bcgroupid-int4',
    description:
      'GET /api/v3/io/companies?bcGroupId=<an integer past 2^31-1> is a 500 on PostgreSQL (the int4 column customer_group_id is compared with it; customerId and the users filters are guarded, bcGroupId is not)',
    dialects: ['postgres'],
    matches: (r) => {
      if (!/^\/api\/v3\/io\/companies\/?(\?|$)/.test(r.url)) return false;
      const text = lastQueryValue(r, 'bcGroupId')?.trim();
      return text !== undefined && /^[-+]?\d{1,15}$/.test(text) && Math.abs(Number(text)) > 2_147_483_647;
    },
  },
];

export function knownBugOf(request: FuzzRequest, dialect: DialectName): KnownBug | undefined {
  return knownBugs.find((bug) => bug.dialects.includes(dialect) && bug.matches(request));
}
