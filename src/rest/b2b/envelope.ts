import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type B2bRestStyle, b2bRestErrorBody } from '../../http/error-formats.js';
import type { ErrorCode } from '../../shared/error-codes.js';
import { AppError, isAppError } from '../../shared/errors.js';

/**
 * The B2B REST envelopes (b2b-users-rest.md §3, §8, §14 #1-2) and the one place AppErrors become
 * HTTP answers for this edge.
 *   v2 (`/api/v2/...`):       { code, message, data }            errors: data = { errMsg }
 *   io (`/api/io/auth/...`):  { code, data, meta: { message } }  errors: data = { errMsg }
 * `code` always equals the HTTP status. Domain field names are renamed to the wire's (`phone` →
 * `phoneNumber`) in 422 details.
 */
export type EnvelopeStyle = B2bRestStyle;

export const SUCCESS = 'SUCCESS';

export function ok<T>(data: T): { code: 200; message: string; data: T } {
  return { code: 200, message: SUCCESS, data };
}

export function okIo<T>(data: T): { code: 200; data: T; meta: { message: string } } {
  return { code: 200, data, meta: { message: SUCCESS } };
}

const LOGIC = 'Processing data contains logical errors';

/** message (or meta.message) and errMsg for an AppError, per §8 and §14 #1 */
function describe(error: AppError, fieldNames: Record<string, string>): { message: string; errMsg: unknown } {
  const code: ErrorCode = error.code;
  if (code === 'B2B_PARAMETER_ERROR' || code === 'VALIDATION_FAILED') {
    const fields = error.details?.fields as Record<string, string[]> | undefined;
    if (!fields) return { message: 'Parameter Error', errMsg: error.message };
    const renamed: Record<string, string[]> = {};
    for (const [key, value] of Object.entries(fields)) renamed[fieldNames[key] ?? key] = value;
    return { message: 'Parameter Error', errMsg: renamed };
  }
  if (code === 'B2B_EMAIL_EXISTS' || code === 'B2B_LAST_USER' || code === 'B2B_DELETE_SELF' || code === 'B2B_LOGIC_ERROR') {
    return { message: LOGIC, errMsg: error.message };
  }
  if (code === 'B2B_CUSTOMER_AUTH_FAILED') return { message: 'Calling BC API failed', errMsg: error.message };
  if (code === 'B2B_CUSTOMER_NOT_FOUND') return { message: 'Not Found Error', errMsg: error.message };
  return { message: error.message, errMsg: error.message };
}

export function errorBody(error: AppError, style: EnvelopeStyle, fieldNames: Record<string, string> = {}): Record<string, unknown> {
  const { message, errMsg } = describe(error, fieldNames);
  return b2bRestErrorBody(style, error.status, message, errMsg);
}

export function sendError(reply: FastifyReply, error: AppError, style: EnvelopeStyle, fieldNames?: Record<string, string>): FastifyReply {
  return reply.code(error.status).type('application/json; charset=utf-8').send(errorBody(error, style, fieldNames));
}

/** Fastify's own errors (parsing, media type, size) as AppErrors; anything else is unexpected. */
export function toAppError(error: FastifyError | Error): AppError | undefined {
  if (isAppError(error)) return error;
  const fe = error as FastifyError;
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('B2B_JSON_PARSE');
    default:
      break;
  }
  if (fe.statusCode === 413) return new AppError('PAYLOAD_TOO_LARGE');
  if (fe.statusCode === 415) return new AppError('UNSUPPORTED_MEDIA_TYPE');
  if (fe.statusCode === 400 && (error as { type?: string }).type !== undefined) return new AppError('B2B_JSON_PARSE');
  if (error instanceof SyntaxError || fe.statusCode === 400) return new AppError('B2B_JSON_PARSE');
  return undefined;
}

/** The encapsulated error handler of one B2B plugin. */
export function b2bErrorHandler(style: EnvelopeStyle) {
  return (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    const known = toAppError(error);
    if (known) return sendError(reply, known, style, (request.routeOptions.config as { fieldNames?: Record<string, string> } | undefined)?.fieldNames);
    request.log.error({ err: error, reqId: request.id }, 'unexpected error in B2B REST');
    return sendError(reply, new AppError('INTERNAL'), style);
  };
}
