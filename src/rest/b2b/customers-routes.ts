import type { FastifyInstance } from 'fastify';
import { ok } from './envelope.js';
import type { B2bRouteDoc } from './openapi.js';
import { authenticate, principalOf } from './request-context.js';
import { registerRoute } from './route-registry.js';
import { companyOfUserSchema, v2Envelope } from './schemas.js';
import { companyOfUser, NO_SUCH_ID, parsePathId } from './wire.js';

/** `/api/v2/customers/{userId}/companies`: the Company of a B2B user (B2B user id only, §5). */
export function registerCustomerRoutes(app: FastifyInstance, docs: B2bRouteDoc[]): void {
  registerRoute(app, docs, {
    doc: {
      method: 'GET',
      url: '/api/v2/customers/:userId/companies',
      operationId: 'getcompanybyuserid',
      summary: 'Get a Company by User ID (your own always; others with get_user_detail in scope)',
      tags: ['Companies', 'Users'],
      authenticated: true,
      parameters: [{ name: 'userId', in: 'path', required: true, description: 'the B2B user id', schema: { type: 'string' } }],
      response: v2Envelope(companyOfUserSchema),
      errors: [401, 403, 404, 429],
      errorStyle: 'v2',
    },
    onRequest: authenticate,
    cacheAnswer: true,
    async handler(request) {
      const { userId } = request.params as { userId?: string };
      const company = await request.services.companyUsers.getUserCompany(principalOf(request), parsePathId(userId) ?? NO_SUCH_ID);
      return ok(companyOfUser(company));
    },
  });
}
