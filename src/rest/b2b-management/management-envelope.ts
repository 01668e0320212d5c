import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { b2bHierarchyErrorBody, b2bManagementErrorBody } from '../../http/error-formats.js';
import { AppError, isAppError } from '../../shared/errors.js';
import { toAppError } from '../b2b/envelope.js';

/**
 * The envelopes of the B2B Management API v3 (b2b-management-rest.md §3) and the one place its
 * AppErrors become answers. Three families:
 *   users:      success `meta.message` "Success"; errors `{code, meta: {message}, data: {errMsg}}`
 *   companies:  success "SUCCESS"; errors `{code, meta: {message}, data: {}}` (the shared layer's
 *               401/403/405/413/415/400/429/500 keep `data: {errMsg}`, §3.2)
 *   hierarchy:  success without `code`; errors `{status, title, errors}`
 * Keys are written in the order `code, meta, data` (§14 #33), compact, `application/json`.
 */
export type ManagementFamily = 'users' | 'companies' | 'hierarchy';

export const JSON_TYPE = 'application/json';

export interface Pagination {
  totalCount: number;
  limit: number;
  offset: number;
}

export function usersOk<T>(data: T): { code: 200; meta: { message: string }; data: T } {
  return { code: 200, meta: { message: 'Success' }, data };
}

export function usersList<T>(data: T[], pagination: Pagination): { code: 200; meta: { message: string; pagination: Pagination }; data: T[] } {
  return { code: 200, meta: { message: 'Success', pagination }, data };
}

export function companiesOk<T>(data: T): { code: 200; meta: { message: string }; data: T } {
  return { code: 200, meta: { message: 'SUCCESS' }, data };
}

export function companiesList<T>(data: T[], pagination: Pagination): { code: 200; meta: { message: string; pagination: Pagination }; data: T[] } {
  return { code: 200, meta: { message: 'SUCCESS', pagination }, data };
}

/** domain field names → the wire's, in 422 details */
const WIRE_FIELDS: Record<string, string> = { phone: 'phoneNumber' };

function renameFields(fields: unknown): unknown {
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) return fields;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields as Record<string, unknown>)) {
    // bulk errors are keyed by item index, each a field map of its own
    out[WIRE_FIELDS[key] ?? key] = /^\d+$/.test(key) ? renameFields(value) : value;
  }
  return out;
}

/** The error body of `error` for a route of `family`. */
export function managementErrorBody(error: AppError, family: ManagementFamily): Record<string, unknown> {
  const status = error.status;
  switch (error.code) {
    case 'B2B_PARAMETER_ERROR':
      return b2bManagementErrorBody(status, 'Parameter Error', { errMsg: renameFields(error.details?.fields ?? error.message) });
    case 'B2B_EMAIL_EXISTS':
    case 'B2B_LAST_USER':
    case 'B2B_LOGIC_ERROR':
    case 'B2B_DELETE_SELF':
      if (family === 'companies') return b2bManagementErrorBody(status, error.message, {});
      return b2bManagementErrorBody(status, 'Processing data contains logical errors', { errMsg: error.message });
    case 'B2B_USER_NOT_FOUND':
      return b2bManagementErrorBody(status, 'Not Found Error', { errMsg: error.message });
    case 'PAYLOAD_TOO_LARGE':
      return b2bManagementErrorBody(status, 'Request Entity Too Large', error.details?.companies ? {} : { errMsg: error.message });
    case 'MANAGEMENT_NOT_IMPLEMENTED':
      return b2bManagementErrorBody(status, 'Not Implemented', { errMsg: error.message });
    case 'MANAGEMENT_COMPANY_ERROR':
    case 'MANAGEMENT_COMPANY_NOT_FOUND':
    case 'MANAGEMENT_COMPANY_CONFLICT':
      return b2bManagementErrorBody(status, error.message, (error.details?.data as Record<string, unknown> | undefined) ?? {});
    case 'MANAGEMENT_HIERARCHY_ERROR':
    case 'MANAGEMENT_HIERARCHY_NOT_FOUND':
      return b2bHierarchyErrorBody(status, String(error.details?.title ?? (status === 404 ? 'Parameter Error.' : 'Parameter error.')), error.message);
    default:
      return b2bManagementErrorBody(status, error.message);
  }
}

export function sendManagementError(reply: FastifyReply, error: AppError, family: ManagementFamily): FastifyReply {
  return reply.code(error.status).type(JSON_TYPE).send(JSON.stringify(managementErrorBody(error, family)));
}

export function familyOf(request: FastifyRequest): ManagementFamily {
  return (request.routeOptions.config as { family?: ManagementFamily } | undefined)?.family ?? 'users';
}

/** The plugin's error handler: AppErrors and Fastify's own (parse, size, media type); anything else 500, logged. */
export function managementErrorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const known = isAppError(error) ? error : toAppError(error);
  if (known) return sendManagementError(reply, known.code === 'INTERNAL' ? new AppError('INTERNAL', 'Internal Server Error') : known, familyOf(request));
  request.log.error({ err: error, reqId: request.id }, 'unexpected error in the B2B Management API');
  return sendManagementError(reply, new AppError('INTERNAL', 'Internal Server Error'), familyOf(request));
}
