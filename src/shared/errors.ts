import { type ErrorCode, errorCodes } from './error-codes.js';

/**
 * The one error type for expected failures. `details` carries what an edge may show the client
 * (a field map for 422s, requiredScopes, a JSON path); never secrets, never stack traces.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>) {
    super(message ?? errorCodes[code].message);
    this.name = 'AppError';
    this.code = code;
    this.status = errorCodes[code].status;
    this.details = details;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/**
 * Formats an error's stack now, for an error that is kept (a cache). Until its stack is read, V8
 * keeps the frames the error was created in, each with its function and receiver and so whatever
 * their scopes hold: a cached GraphQL error kept the whole parsed document and its token list
 * alive (~9 MB for 20,000 tokens), past every bound the cache put on documents.
 */
export function withoutFrames<E extends Error>(error: E): E {
  void error.stack;
  return error;
}
