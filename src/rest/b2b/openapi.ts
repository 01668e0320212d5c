/**
 * The B2B REST routes describe themselves once (`B2bRouteDoc`): the response schema drives
 * Fastify's fast serialization, and the whole set is printed as an OpenAPI 3 document served at
 * `GET /api/v2/openapi.json` and committed as `openapi/b2b-storefront.json` (a test diffs them).
 * Request validation is ours (see wire.ts and the domain), so the spec's 422 bodies stay exact.
 */
export type JsonSchema = Record<string, unknown>;

export interface ParameterDoc {
  name: string;
  in: 'query' | 'path' | 'header';
  required?: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface B2bRouteDoc {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Fastify path (`:param`) */
  url: string;
  operationId: string;
  summary: string;
  tags: string[];
  /** false for the token endpoints */
  authenticated: boolean;
  parameters?: ParameterDoc[];
  requestBody?: JsonSchema;
  /** the 200 body */
  response: JsonSchema;
  /** other statuses this route may answer (documented with the error envelope) */
  errors: number[];
  /** envelope of the error responses */
  errorStyle: 'v2' | 'io';
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Malformed request (JSON parse error) or failed sign-in',
  401: 'Missing, invalid or expired storefront authToken',
  403: 'The caller may not perform this action',
  404: 'Not found, or outside the caller\'s scope',
  405: 'Method not allowed',
  413: 'Request Entity Too Large',
  415: 'Unsupported media type',
  422: 'Parameter Error / Processing data contains logical errors',
  429: 'Rate limited',
};

const errorV2: JsonSchema = {
  type: 'object',
  required: ['code', 'message', 'data'],
  properties: {
    code: { type: 'integer' },
    message: { type: 'string' },
    data: { type: 'object', properties: { errMsg: {} } },
  },
};

const errorIo: JsonSchema = {
  type: 'object',
  required: ['code', 'data', 'meta'],
  properties: {
    code: { type: 'integer' },
    data: { type: 'object', properties: { errMsg: {} } },
    meta: { type: 'object', properties: { message: { type: 'string' } } },
  },
};

export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

export function buildOpenApiDocument(routes: readonly B2bRouteDoc[]): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  const sorted = [...routes].sort((a, b) => (a.url === b.url ? a.method.localeCompare(b.method) : a.url.localeCompare(b.url)));
  for (const route of sorted) {
    const path = openApiPath(route.url);
    const responses: Record<string, unknown> = {
      '200': { description: 'OK', content: { 'application/json': { schema: route.response } } },
    };
    for (const status of [...route.errors].sort((a, b) => a - b)) {
      responses[String(status)] = {
        description: STATUS_TEXT[status] ?? 'Error',
        content: { 'application/json': { schema: { $ref: route.errorStyle === 'v2' ? '#/components/schemas/ErrorV2' : '#/components/schemas/ErrorIo' } } },
      };
    }
    (paths[path] ??= {})[route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: route.tags,
      ...(route.authenticated ? {} : { security: [] }),
      ...(route.parameters && route.parameters.length > 0 ? { parameters: route.parameters } : {}),
      ...(route.requestBody
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: route.requestBody }, 'application/x-www-form-urlencoded': { schema: route.requestBody } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Roster: B2B Edition storefront REST (Company users and tokens)',
      version: '2.0.0',
      description:
        'Wire-compatible subset of the B2B Edition REST Storefront API (https://api-b2b.bigcommerce.com). Generated from the route definitions in src/rest/b2b.',
    },
    servers: [{ url: '/' }],
    security: [{ BearerToken: [] }, { LegacyAuthToken: [] }],
    tags: [{ name: 'Authentication' }, { name: 'Users' }, { name: 'Companies' }],
    paths,
    components: {
      securitySchemes: {
        BearerToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        LegacyAuthToken: { type: 'apiKey', in: 'header', name: 'authToken' },
      },
      schemas: { ErrorV2: errorV2, ErrorIo: errorIo },
    },
  };
}
