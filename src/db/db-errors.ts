/** The one place that reads database driver errors. Repositories ask these, never driver codes. */

interface DriverError {
  code?: unknown;
  constraint?: unknown;
  message?: unknown;
}

export function isUniqueViolation(error: unknown): boolean {
  const code = (error as DriverError | undefined)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as DriverError | undefined)?.code;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/** PostgreSQL serialization failures and deadlocks, SQLite busy: safe to retry the whole transaction. */
export function isRetryableConflict(error: unknown): boolean {
  const code = (error as DriverError | undefined)?.code;
  return code === '40001' || code === '40P01' || code === 'SQLITE_BUSY';
}
