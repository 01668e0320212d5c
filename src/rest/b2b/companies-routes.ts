import type { FastifyInstance } from 'fastify';
import type { FieldErrors } from '../../domain/company-users/company-user-validation.js';
import { ok } from './envelope.js';
import type { B2bRouteDoc } from './openapi.js';
import { authenticate, principalOf } from './request-context.js';
import { registerRoute } from './route-registry.js';
import { companyUserListItemSchema, emailCheckSchema, listData, pagingParameters, v2Envelope } from './schemas.js';
import { companyUserListItem, NO_SUCH_ID, parsePaging, parsePathId, parseRoles, parseUnixSeconds, stringParam } from './wire.js';

/** `/api/v2/companies/{companyId}/users` and the frontend e-mail validation (§6.7). */
export function registerCompanyRoutes(app: FastifyInstance, docs: B2bRouteDoc[]): void {
  registerRoute(app, docs, {
    doc: {
      method: 'GET',
      url: '/api/v2/companies/:companyId/users',
      operationId: 'get-companies-companyId-users',
      summary: 'Get a Company User List (own Company, or a subsidiary with level 3)',
      tags: ['Companies', 'Users'],
      authenticated: true,
      parameters: [
        { name: 'companyId', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'role[]', in: 'query', description: 'roles 0-4 (repeatable; the union)', schema: { type: 'string' } },
        { name: 'q', in: 'query', schema: { type: 'string' } },
        ...pagingParameters,
        { name: 'minLastModifiedTime', in: 'query', description: 'unix seconds', schema: { type: 'string' } },
        { name: 'maxLastModifiedTime', in: 'query', description: 'unix seconds', schema: { type: 'string' } },
        { name: 'minLastCreatedTime', in: 'query', description: 'unix seconds', schema: { type: 'string' } },
        { name: 'maxLastCreatedTime', in: 'query', description: 'unix seconds', schema: { type: 'string' } },
      ],
      response: v2Envelope(listData(companyUserListItemSchema)),
      errors: [401, 403, 404, 422, 429],
      errorStyle: 'v2',
    },
    onRequest: authenticate,
    cacheAnswer: true,
    async handler(request) {
      const { companyId } = request.params as { companyId?: string };
      const query = request.query as Record<string, unknown>;
      const invalid: FieldErrors = {};
      const roles = parseRoles(query, invalid);
      const updatedFrom = parseUnixSeconds(query, 'minLastModifiedTime', invalid, false);
      const updatedTo = parseUnixSeconds(query, 'maxLastModifiedTime', invalid, true);
      const createdFrom = parseUnixSeconds(query, 'minLastCreatedTime', invalid, false);
      const createdTo = parseUnixSeconds(query, 'maxLastCreatedTime', invalid, true);
      const search = stringParam(query, 'q');
      const page = await request.services.companyUsers.list(principalOf(request), {
        companyId: parsePathId(companyId) ?? NO_SUCH_ID,
        ...(search !== undefined ? { search } : {}),
        ...(roles ? { roles } : {}),
        ...(updatedFrom !== undefined ? { updatedFrom } : {}),
        ...(updatedTo !== undefined ? { updatedTo } : {}),
        ...(createdFrom !== undefined ? { createdFrom } : {}),
        ...(createdTo !== undefined ? { createdTo } : {}),
        paging: parsePaging(query),
        invalid,
      });
      return ok({ list: page.items.map(companyUserListItem), pagination: { totalCount: page.totalCount, offset: page.offset, limit: page.limit } });
    },
  });

  registerRoute(app, docs, {
    doc: {
      method: 'GET',
      url: '/api/v2/companies/validations/frontend/user-emails/:email',
      operationId: 'get-companies-validations-fronted-user-emails-email',
      summary: 'Validate a Frontend User Email (isValid 0 user+customer, 1 neither, 2 customer only)',
      tags: ['Companies'],
      authenticated: true,
      parameters: [
        { name: 'email', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'storeHash', in: 'query', required: true, schema: { type: 'string' } },
        { name: 'role', in: 'query', required: true, description: '0-4', schema: { type: 'string' } },
        { name: 'companyId', in: 'query', schema: { type: 'string' } },
      ],
      response: v2Envelope(emailCheckSchema),
      errors: [401, 403, 422, 429],
      errorStyle: 'v2',
    },
    onRequest: authenticate,
    async handler(request) {
      const { email } = request.params as { email?: string };
      const query = request.query as Record<string, unknown>;
      const invalid: FieldErrors = {};
      const storeHash = stringParam(query, 'storeHash');
      if (storeHash === undefined || storeHash.trim() === '') invalid.storeHash = ['This field is required.'];
      const role = stringParam(query, 'role');
      if (role === undefined || role.trim() === '') invalid.role = ['This field is required.'];
      else parseRoles({ role }, invalid);
      const rawCompanyId = stringParam(query, 'companyId');
      let companyId: number | undefined;
      if (rawCompanyId !== undefined && rawCompanyId !== '') {
        companyId = parsePathId(rawCompanyId.trim());
        if (companyId === undefined) invalid.companyId = ['A valid integer is required.'];
      }
      const result = await request.services.companyUsers.checkEmail(principalOf(request), {
        email: email ?? '',
        ...(companyId !== undefined ? { companyId } : {}),
        invalid,
      });
      const info = result.userInfo;
      return ok({
        isValid: String(result.isValid),
        userInfo:
          info === null
            ? {}
            : {
                id: String(info.id),
                firstName: info.firstName,
                lastName: info.lastName,
                email: info.email,
                phoneNumber: info.phoneNumber,
                ...(info.role !== null ? { role: String(info.role) } : {}),
              },
      });
    },
  });
}
