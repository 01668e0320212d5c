import { randomBytes } from 'node:crypto';

/**
 * The one generator of opaque ids (token ids, request ids, invitation ids). Numeric entity ids come
 * from the database's id counters (see db/id-counters.ts) so that they survive restarts and forks.
 * With a seed the sequence is deterministic: two runs of the same test produce the same ids.
 */
export interface IdGenerator {
  /** A new opaque id, 32 hex chars unless seeded. */
  next(): string;
}

export function createIdGenerator(options: { seed?: string; stream?: string } = {}): IdGenerator {
  if (options.seed === undefined) {
    // random bytes drawn 4 KiB at a time: one system call per 256 ids instead of one per id
    let pool = Buffer.alloc(0);
    let offset = 0;
    return {
      next: () => {
        if (offset + 16 > pool.length) {
          pool = randomBytes(4096);
          offset = 0;
        }
        offset += 16;
        return pool.toString('hex', offset - 16, offset);
      },
    };
  }
  let counter = 0;
  // a stream ("r" for request ids) is its own sequence: counting requests never moves the ids of
  // the things API writes issue (token jti), so a health probe cannot change a later token
  const prefix = (options.seed.replace(/[^a-zA-Z0-9]/g, '').slice(0, 8) || 'seed') + (options.stream ?? '');
  return {
    next: () => {
      counter += 1;
      return `${prefix}${counter.toString(16).padStart(24, '0')}`;
    },
  };
}
