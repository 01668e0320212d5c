import { graphqlErrorItem } from '../../http/error-formats.js';
import type { GraphQLError, SourceLocation } from 'graphql';
import type { ErrorCode } from '../../shared/error-codes.js';
import { type AppError, isAppError } from '../../shared/errors.js';

/**
 * The B2B GraphQL error format (b2b-users-rest.md §14 #22): `errors[].extensions.code` is a
 * NUMBER. Authentication failures are 40101 (the Buyer Portal logs out on exactly that); every
 * other expected error carries the REST status of the same case (403, 404, 422, 400, 429).
 * Anything unexpected is masked as 500 and logged, never shown.
 */
export const AUTH_FAILURE_CODE = 40101;

export interface B2bErrorJson {
  message: string;
  locations?: readonly SourceLocation[];
  path?: readonly (string | number)[];
  extensions: { code: number };
}

/** A request-level error (transport, syntax, validation, variables, limits): no data ran. */
export function requestError(message: string, code: number, locations?: readonly SourceLocation[]): B2bErrorJson {
  return graphqlErrorItem(message, code, { locations });
}

export function codeForStatus(status: number): number {
  return status === 401 ? AUTH_FAILURE_CODE : status;
}

/** Texts a real client recognises on GraphQL where REST words the same case differently (README.md). */
const graphqlTexts: Partial<Record<ErrorCode, string>> = {
  B2B_LAST_USER: 'Company only have one user can not be deleted',
};

/**
 * The text clients see for an AppError (the portal shows `errors[0].message` as is): REST's detail
 * text (its `errMsg`), since REST's headlines ("Parameter Error", "Processing data contains logical
 * errors") say nothing. A 422 field map (`{email: ["Enter a valid email address."]}`) becomes
 * `email: Enter a valid email address.`; `non_field_errors` texts stand alone ("User must have a role.").
 */
export function messageOf(error: AppError): string {
  const fixed = graphqlTexts[error.code];
  if (fixed !== undefined) return fixed;
  const fields = error.details?.fields ?? error.details?.errMsg;
  if (fields !== null && typeof fields === 'object') {
    const parts: string[] = [];
    for (const [field, messages] of Object.entries(fields as Record<string, unknown>)) {
      const list = Array.isArray(messages) ? messages : [messages];
      for (const text of list) if (typeof text === 'string') parts.push(field === 'non_field_errors' ? text : `${field}: ${text}`);
    }
    if (parts.length > 0) return parts.join(' ');
  }
  if (typeof fields === 'string' && fields !== '') return fields;
  return error.message;
}

export interface FormattedErrors {
  errors: B2bErrorJson[];
  /** set when an error says the whole request must answer 429 */
  rateLimited: boolean;
}

export function formatExecutionErrors(errors: readonly GraphQLError[], logUnexpected: (error: unknown) => void): FormattedErrors {
  let rateLimited = false;
  const formatted = errors.map((error): B2bErrorJson => {
    const original = error.originalError;
    const where = { locations: error.locations, path: error.path };
    if (isAppError(original)) {
      if (original.code === 'RATE_LIMITED') rateLimited = true;
      return graphqlErrorItem(messageOf(original), codeForStatus(original.status), where);
    }
    logUnexpected(original ?? error);
    return graphqlErrorItem('Internal server error', 500, where);
  });
  return { errors: formatted, rateLimited };
}
