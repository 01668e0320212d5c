import type { FastifyInstance } from 'fastify';
import type { FieldErrors } from '../../domain/company-users/company-user-validation.js';
import { ok } from './envelope.js';
import type { B2bRouteDoc } from './openapi.js';
import { authenticate, principalOf } from './request-context.js';
import { registerRoute } from './route-registry.js';
import {
  createdUserSchema,
  createUserBody,
  emptyData,
  listData,
  pagingParameters,
  updateUserBody,
  userDetailSchema,
  userListItemSchema,
  v2Envelope,
} from './schemas.js';
import { bodyObject, createdUser, userFieldsOf, parsePaging, parseRoles, stringParam, userDetail, userFieldNames, userListItem, userRef } from './wire.js';

/** `/api/v2/users...` (b2b-users-rest.md §6.1-§6.6). One resource per file; services from the request. */
const userIdParam = { name: 'userId', in: 'path', required: true, description: 'B2B user id (or the BigCommerce customer id with isBcId=1)', schema: { type: 'string' } } as const;
const isBcIdParam = { name: 'isBcId', in: 'query', description: '"1" or "true": the path holds the BigCommerce customer id', schema: { type: 'string' } } as const;

export function registerUserRoutes(app: FastifyInstance, docs: B2bRouteDoc[]): void {
  registerRoute(app, docs, {
    doc: {
      method: 'GET',
      url: '/api/v2/users',
      operationId: 'get-users',
      summary: 'Get User List (the caller\'s Company, newest first)',
      tags: ['Users'],
      authenticated: true,
      parameters: [
        { name: 'q', in: 'query', description: 'case-insensitive search over names and e-mail', schema: { type: 'string' } },
        { name: 'role', in: 'query', description: '0-4; missing or empty = all roles', schema: { type: 'string' } },
        ...pagingParameters,
      ],
      response: v2Envelope(listData(userListItemSchema)),
      errors: [401, 403, 422, 429],
      errorStyle: 'v2',
    },
    onRequest: authenticate,
    cacheAnswer: true,
    async handler(request) {
      const query = request.query as Record<string, unknown>;
      const invalid: FieldErrors = {};
      const roles = parseRoles(query, invalid);
      const paging = parsePaging(query);
      const search = stringParam(query, 'q');
      const page = await request.services.companyUsers.list(principalOf(request), {
        ...(search !== undefined ? { search } : {}),
        ...(roles ? { roles } : {}),
        paging,
        invalid,
      });
      request.answerDependsOn = page.dependsOn ?? null;
      return ok({ list: page.items.map(userListItem), pagination: { totalCount: page.totalCount, offset: page.offset, limit: page.limit } });
    },
  });

  registerRoute(app, docs, {
    doc: {
      method: 'POST',
      url: '/api/v2/users',
      operationId: 'post-users',
      summary: 'Create a User (links an existing customer with that e-mail, or creates one)',
      tags: ['Users'],
      authenticated: true,
      requestBody: createUserBody,
      response: v2Envelope(createdUserSchema),
      errors: [400, 401, 403, 413, 415, 422, 429],
      errorStyle: 'v2',
    },
    onRequest: authenticate,
    fieldNames: userFieldNames,
    async handler(request) {
      const body = bodyObject(request.body);
      const user = await request.services.companyUsers.create(principalOf(request), { companyId: body.companyId, ...userFieldsOf(body) }, { phoneRequired: true });
      return ok(createdUser(user));
    },
  });

  registerRoute(app, docs, {
    doc: {
      method: 'GET',
      url: '/api/v2/users/validations/existence',
      operationId: 'get-users-validations-existence',
      summary: 'Check Existence of a Company user e-mail (deprecated): 200 when it exists, else 404',
      tags: ['Users'],
      authenticated: true,
      parameters: [
        { name: 'storeHash', in: 'query', required: true, schema: { type: 'string' } },
        { name: 'email', in: 'query', required: true, schema: { type: 'string' } },
        { name: 'extraFieldName', in: 'query', schema: { type: 'string' } },
        { name: 'extraFieldValue', in: 'query', schema: { type: 'string' } },
      ],
      response: v2Envelope(emptyData),
      errors: [401, 403, 404, 422, 429],
      errorStyle: 'v2',
    },
    onRequest: authenticate,
    async handler(request) {
      const query = request.query as Record<string, unknown>;
      const invalid: FieldErrors = {};
      const storeHash = stringParam(query, 'storeHash');
      const email = stringParam(query, 'email');
      if (storeHash === undefined || storeHash.trim() === '') invalid.storeHash = ['This field is required.'];
      if (email === undefined || email.trim() === '') invalid.email = ['This field is required.'];
      const extraFieldName = stringParam(query, 'extraFieldName');
      const extraFieldValue = stringParam(query, 'extraFieldValue');
      await request.services.companyUsers.assertExists(principalOf(request), {
        email: email ?? '',
        ...(extraFieldName !== undefined ? { extraFieldName } : {}),
        ...(extraFieldValue !== undefined ? { extraFieldValue } : {}),
        invalid,
      });
      return ok({});
    },
  });

  registerRoute(app, docs, {
    doc: {
      method: 'GET',
      url: '/api/v2/users/:userId',
      operationId: 'get-users-userId',
      summary: 'Get User Information',
      tags: ['Users'],
      authenticated: true,
      parameters: [userIdParam, isBcIdParam],
      response: v2Envelope(userDetailSchema),
      errors: [401, 403, 404, 429],
      errorStyle: 'v2',
    },
    onRequest: authenticate,
    cacheAnswer: true,
    async handler(request) {
      const { userId } = request.params as { userId?: string };
      const user = await request.services.companyUsers.get(principalOf(request), userRef(userId, request.query as Record<string, unknown>));
      request.answerDependsOn = { companyId: user.companyId, items: [user.id] };
      return ok(userDetail(user));
    },
  });

  registerRoute(app, docs, {
    doc: {
      method: 'PUT',
      url: '/api/v2/users/:userId',
      operationId: 'put-users-userId',
      summary: 'Update User Information (full replacement of the five fields)',
      tags: ['Users'],
      authenticated: true,
      parameters: [userIdParam, isBcIdParam],
      requestBody: updateUserBody,
      response: v2Envelope(emptyData),
      errors: [400, 401, 403, 404, 413, 415, 422, 429],
      errorStyle: 'v2',
    },
    onRequest: authenticate,
    fieldNames: userFieldNames,
    async handler(request) {
      const { userId } = request.params as { userId?: string };
      const body = bodyObject(request.body);
      await request.services.companyUsers.update(
        principalOf(request),
        userRef(userId, request.query as Record<string, unknown>),
        userFieldsOf(body),
        { mode: 'replace' },
      );
      return ok({});
    },
  });

  registerRoute(app, docs, {
    doc: {
      method: 'DELETE',
      url: '/api/v2/users/:userId',
      operationId: 'delete-users-userId',
      summary: 'Delete a User (the customer account is kept)',
      tags: ['Users'],
      authenticated: true,
      parameters: [userIdParam, isBcIdParam],
      response: v2Envelope(emptyData),
      errors: [401, 403, 404, 422, 429],
      errorStyle: 'v2',
    },
    onRequest: authenticate,
    async handler(request) {
      const { userId } = request.params as { userId?: string };
      await request.services.companyUsers.delete(principalOf(request), userRef(userId, request.query as Record<string, unknown>));
      return ok({});
    },
  });
}
