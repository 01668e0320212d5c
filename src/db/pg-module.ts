import { createRequire } from 'node:module';
import type pg from 'pg';

/**
 * The `pg` driver, loaded when the first PostgreSQL database is opened: a SQLite server (the
 * default) does not pay its module loading (about 75 ms of start-up). Its CommonJS build, which its
 * ESM wrapper re-exports anyway.
 */
let loaded: typeof pg | undefined;

export function pgModule(): typeof pg {
  loaded ??= createRequire(import.meta.url)('pg') as typeof pg;
  return loaded;
}
