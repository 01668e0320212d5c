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
