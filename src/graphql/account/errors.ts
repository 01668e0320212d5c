import { graphqlErrorItem } from '../../http/error-formats.js';
import type { FastifyBaseLogger } from 'fastify';
import { GraphQLError } from 'graphql';
import type { ErrorCode } from '../../shared/error-codes.js';
import { isAppError } from '../../shared/errors.js';

/**
 * The Account API's GraphQL error format (account-graphql.md §9.2, §11 #2-#4): every error carries
 * a stable `extensions.code`; expected failures (AppError) keep their message; anything else is
 * masked as INTERNAL_SERVER_ERROR and logged with the request id.
 */
export interface GraphqlErrorBody {
  message: string;
  locations?: readonly { line: number; column: number }[];
  path?: readonly (string | number)[];
  extensions: { code: string; [key: string]: unknown };
}

const codeFor: Partial<Record<ErrorCode, string>> = {
  BAD_REQUEST: 'BAD_USER_INPUT',
  VALIDATION_FAILED: 'BAD_USER_INPUT',
  INVALID_EMAIL: 'BAD_USER_INPUT',
  INVALID_CURSOR: 'BAD_USER_INPUT',
  INVALID_ID: 'BAD_USER_INPUT',
  INVALID_PAGE_SIZE: 'BAD_USER_INPUT',
  FIRST_AND_LAST: 'BAD_USER_INPUT',
  USER_IDENTITY_AMBIGUOUS: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  USER_NOT_FOUND: 'NOT_FOUND',
  STORE_NOT_FOUND: 'NOT_FOUND',
  FORBIDDEN: 'FORBIDDEN',
  ACCOUNT_FORBIDDEN: 'FORBIDDEN',
  ACCOUNT_OWNER_NOT_REMOVABLE: 'FORBIDDEN',
  STORE_OWNER_NOT_REMOVABLE: 'FORBIDDEN',
  CONFLICT: 'CONFLICT',
  INSUFFICIENT_ACCESS_SCOPE: 'INSUFFICIENT_ACCESS_SCOPE',
};

export const INTERNAL_MESSAGE = 'Internal server error';

function where(error: GraphQLError): Pick<GraphqlErrorBody, 'locations' | 'path'> {
  const out: Pick<GraphqlErrorBody, 'locations' | 'path'> = {};
  if (error.locations && error.locations.length > 0) out.locations = error.locations.map((l) => ({ line: l.line, column: l.column }));
  if (error.path) out.path = error.path;
  return out;
}

/** One execution error to its wire form. */
export function formatExecutionError(error: GraphQLError, log: FastifyBaseLogger): GraphqlErrorBody {
  const original = error.originalError;
  if (isAppError(original)) {
    const code = codeFor[original.code];
    if (code !== undefined) {
      const requiredScopes = original.details?.requiredScopes;
      return graphqlErrorItem(original.message, code, where(error), requiredScopes !== undefined ? { requiredScopes } : {});
    }
  }
  if (original instanceof GraphQLError && typeof original.extensions?.code === 'string') {
    return graphqlErrorItem(original.message, original.extensions.code, where(error), original.extensions);
  }
  if (original === undefined || original === null) {
    // raised by the executor itself (e.g. a null in a non-null position): a bug on our side
    log.error({ graphqlError: error.message, path: error.path }, 'Account GraphQL executor error');
  } else {
    log.error({ err: original, path: error.path }, 'unexpected error in an Account GraphQL resolver');
  }
  return graphqlErrorItem(INTERNAL_MESSAGE, 'INTERNAL_SERVER_ERROR', where(error));
}

/** Errors that stop a request before execution (parse, validation, limits, variables). */
export function requestError(message: string, code: string, error?: GraphQLError, extra?: Record<string, unknown>): GraphqlErrorBody {
  return graphqlErrorItem(message, code, error ? where(error) : {}, extra);
}
