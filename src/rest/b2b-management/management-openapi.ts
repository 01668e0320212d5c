import type { ManagementRoute } from './management-plugin.js';

/**
 * The Management API's routes as an OpenAPI 3 document, served at `GET /api/v3/io/openapi.json`
 * and committed as `openapi/b2b-management.json` (a test diffs them). Routes, operationIds,
 * parameters, credentials and statuses; bodies and answers are described by the spec
 * (b2b-management-rest.md), whose texts the routes check themselves.
 */
const FAMILY_TAG = { users: 'Users', companies: 'Companies', hierarchy: 'Account hierarchy' } as const;

const SUCCESS_STATUS: Record<string, string> = {
  'post-companies-companyId-parents': '201',
  'delete-companies-companyId-subsidiary': '204',
  'put-companies-companyId-catalog': '405',
};

export function buildManagementOpenApi(routes: readonly ManagementRoute[], prefix: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const parameters = [...route.url.matchAll(/:([A-Za-z]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'integer', minimum: 0 } }));
    const ok = SUCCESS_STATUS[route.operationId] ?? '200';
    const responses: Record<string, { description: string }> = { [ok]: { description: ok === '405' ? 'Method not allowed' : 'Success' } };
    for (const [status, description] of [
      ['401', 'Missing or invalid credentials'],
      ['403', 'The token lacks the B2B scope (or is read-only on a write)'],
      ['404', 'Not found, or in another store'],
      ['422', 'Invalid data'],
      ['429', 'Rate limited (150 per minute per store, shared with the storefront API)'],
    ] as const) {
      if (status !== ok) responses[status] = { description };
    }
    const entry = paths[`${prefix}${path}`] ?? {};
    entry[route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [FAMILY_TAG[route.family]],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.method === 'POST' || route.method === 'PUT' ? { requestBody: { required: false, content: { 'application/json': { schema: { type: route.url.endsWith('/bulk') ? 'array' : 'object' } } } } } : {}),
      responses,
    };
    paths[`${prefix}${path}`] = entry;
  }
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(paths).sort()) sorted[key] = paths[key];
  return {
    openapi: '3.0.3',
    info: {
      title: 'Roster: B2B Edition REST Management API v3 (Company users, Companies, hierarchy, roles)',
      version: '1',
      description: 'Served by Roster under /api/v3/io (and /f/{forkId}/api/v3/io in forks). Contract: b2b-management-rest.md.',
    },
    components: {
      securitySchemes: {
        XAuthToken: { type: 'apiKey', in: 'header', name: 'X-Auth-Token' },
        XStoreHash: { type: 'apiKey', in: 'header', name: 'X-Store-Hash' },
        legacyAuthToken: { type: 'apiKey', in: 'header', name: 'authToken' },
      },
    },
    security: [{ XAuthToken: [], XStoreHash: [] }, { legacyAuthToken: [] }],
    paths: sorted,
  };
}
