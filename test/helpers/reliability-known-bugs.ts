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

export const knownBugs: readonly KnownBug[] = [];

export function knownBugOf(request: FuzzRequest, dialect: DialectName): KnownBug | undefined {
  return knownBugs.find((bug) => bug.dialects.includes(dialect) && bug.matches(request));
}
