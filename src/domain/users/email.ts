import { emailKey } from '../../db/dialect.js';
import { AppError } from '../../shared/errors.js';

export interface NormalizedEmail {
  /** trimmed, as given */
  email: string;
  /** trimmed, lower-case: the uniqueness and lookup key */
  key: string;
}

/**
 * account-graphql.md §10 #3, §11 #10: trimmed, exactly one "@" with non-empty parts, at most 255
 * characters; stored as given, compared case-insensitively. A NUL character cannot be stored
 * (PostgreSQL text) and is refused the same way on every engine.
 */
export function normalizeEmail(input: string): NormalizedEmail {
  const email = input.trim();
  const at = email.indexOf('@');
  if (email.length === 0 || email.length > 255 || at <= 0 || at === email.length - 1 || email.indexOf('@', at + 1) !== -1 || email.includes('\u0000')) {
    throw new AppError('INVALID_EMAIL');
  }
  return { email, key: emailKey(email) };
}
