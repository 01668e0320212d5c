import type { FastifyInstance, FastifyRequest } from 'fastify';
import { peekStoreHash } from '../../auth/b2b-tokens.js';
import { addError, type FieldErrors, parseWholeNumber } from '../../domain/company-users/company-user-validation.js';
import { AppError } from '../../shared/errors.js';
import { ok, okIo } from './envelope.js';
import type { B2bRouteDoc } from './openapi.js';
import { countNamedStoreRequest } from './request-context.js';
import { mayUse, resolveManagementCredential } from '../../auth/b2b-management-auth.js';
import { countB2bRequest, throttledError, unknownCaller } from '../../http/b2b-caller.js';
import { registerRoute } from './route-registry.js';
import { ioEnvelope, tokenData, v2Envelope } from './schemas.js';
import { bodyObject, stringParam } from './wire.js';

/**
 * Token endpoints (b2b-users-rest.md §2.1 A-C, §13 #3, §14 #2-#6):
 *   POST /api/io/auth/customers   e-mail + password → { code, data: { name, token }, meta }
 *   POST /api/v2/login            Current Customer JWT (bcToken) → { code, data: { token }, message }
 *   GET  /api/io/auth/storefront  Current Customer JWT (jwtToken query) → { code, data: { token }, meta }
 * They count toward the store's quota once the store is known (body `storeHash`, `X-Store-Hash`, or the JWT's claim).
 */
async function countForStore(request: FastifyRequest, storeHash: unknown): Promise<void> {
  if (typeof storeHash !== 'string' || storeHash === '') return;
  await countNamedStoreRequest(request, storeHash);
}

function requiredString(errors: FieldErrors, field: string, value: unknown): string | undefined {
  if (value === undefined) addError(errors, field, 'This field is required.');
  else if (value === null) addError(errors, field, 'This field may not be null.');
  else if (typeof value !== 'string') addError(errors, field, 'Not a valid string.');
  else if (value.trim() === '') addError(errors, field, 'This field may not be blank.');
  else return value;
  return undefined;
}

function optionalInteger(errors: FieldErrors, field: string, value: unknown, required = false): number | undefined {
  if (value === undefined || value === null || value === '') {
    if (required) addError(errors, field, value === null ? 'This field may not be null.' : 'This field is required.');
    return undefined;
  }
  const parsed = parseWholeNumber(value);
  if (parsed === undefined) addError(errors, field, 'A valid integer is required.');
  return parsed;
}

function assertValid(errors: FieldErrors): void {
  if (Object.keys(errors).length > 0) throw new AppError('B2B_PARAMETER_ERROR', undefined, { fields: errors });
}

export function registerIoAuthRoutes(app: FastifyInstance, docs: B2bRouteDoc[]): void {
  registerRoute(app, docs, {
    doc: {
      method: 'POST',
      url: '/api/io/auth/customers',
      operationId: 'post-auth-customer',
      summary: 'Get a Storefront authToken for a Specific Customer (e-mail and password)',
      tags: ['Authentication'],
      authenticated: false,
      requestBody: {
        type: 'object',
        required: ['storeHash', 'email', 'password', 'channelId', 'name'],
        properties: {
          storeHash: { type: 'string', minLength: 1 },
          email: { type: 'string', format: 'email' },
          password: { type: 'string', format: 'password' },
          channelId: { type: 'number' },
          name: { type: 'string', minLength: 1 },
          beginAt: { type: 'integer', description: 'unix seconds: not valid before' },
          endAt: { type: 'integer', description: 'unix seconds: not valid after' },
        },
      },
      response: ioEnvelope({ type: 'object', required: ['name', 'token'], properties: { name: { type: 'string' }, token: { type: 'string' } } }),
      errors: [400, 413, 415, 422, 429],
      errorStyle: 'io',
    },
    async handler(request) {
      const body = bodyObject(request.body);
      await countForStore(request, body.storeHash);
      const errors: FieldErrors = {};
      const storeHash = requiredString(errors, 'storeHash', body.storeHash);
      const email = requiredString(errors, 'email', body.email);
      const password = requiredString(errors, 'password', body.password);
      const channelId = optionalInteger(errors, 'channelId', body.channelId, true);
      const name = requiredString(errors, 'name', body.name);
      const beginAt = optionalInteger(errors, 'beginAt', body.beginAt);
      const endAt = optionalInteger(errors, 'endAt', body.endAt);
      assertValid(errors);
      if (storeHash === undefined || email === undefined || password === undefined || name === undefined) throw new AppError('B2B_PARAMETER_ERROR');
      const result = await request.services.b2bTokens.signInWithPassword({
        storeHash,
        email,
        password,
        channelId: channelId ?? null,
        name,
        ...(beginAt !== undefined ? { beginAt } : {}),
        ...(endAt !== undefined ? { endAt } : {}),
      });
      return okIo({ name, token: result.token });
    },
  });

  registerRoute(app, docs, {
    doc: {
      method: 'GET',
      url: '/api/io/auth/storefront',
      operationId: 'get-auth-storefront',
      summary: 'Get a Storefront API authToken from a Current Customer JWT',
      tags: ['Authentication'],
      authenticated: false,
      parameters: [
        { name: 'jwtToken', in: 'query', required: true, schema: { type: 'string' } },
        { name: 'channelId', in: 'query', schema: { type: 'string' } },
        { name: 'X-Store-Hash', in: 'header', schema: { type: 'string' } },
      ],
      response: ioEnvelope(tokenData),
      errors: [401, 422, 429],
      errorStyle: 'io',
    },
    async handler(request) {
      const query = request.query as Record<string, unknown>;
      const jwt = stringParam(query, 'jwtToken');
      const headerStore = request.headers['x-store-hash'];
      const storeHash = typeof headerStore === 'string' && headerStore.trim() !== '' ? headerStore.trim() : undefined;
      await countForStore(request, storeHash ?? (jwt ? peekStoreHash(jwt) : undefined));
      if (jwt === undefined || jwt.trim() === '') throw new AppError('B2B_NO_CREDENTIALS');
      const errors: FieldErrors = {};
      const channelId = optionalInteger(errors, 'channelId', stringParam(query, 'channelId'));
      assertValid(errors);
      const result = await request.services.b2bTokens.signInWithCurrentCustomerJwt({
        jwt,
        ...(storeHash !== undefined ? { storeHash } : {}),
        ...(channelId !== undefined ? { channelId } : {}),
      });
      return okIo({ token: result.token });
    },
  });
}

/**
 * Route D (b2b-management-rest.md §10.3, §14 #40): a storefront token for a customer of the store,
 * asked for with the Management API's credentials (users created there have no password). The token
 * is in an array, as documented; `customerAccessToken` is accepted and ignored.
 */
async function authenticateServerToServer(request: FastifyRequest): Promise<string> {
  const services = request.services;
  const credential = await resolveManagementCredential(services.database, request.headers, await services.readVersion.take());
  request.b2bCaller ??= unknownCaller();
  request.b2bCaller.storeHash = credential.storeHash;
  const decision = await countB2bRequest(services, request.b2bCaller, credential.storeHash);
  if (!mayUse(credential, request.method)) throw new AppError('B2B_FORBIDDEN');
  if (decision && !decision.allowed) throw throttledError(decision);
  return credential.storeHash;
}

export function registerStorefrontTokenRoute(app: FastifyInstance, docs: B2bRouteDoc[]): void {
  registerRoute(app, docs, {
    doc: {
      method: 'POST',
      url: '/api/io/auth/customers/storefront',
      operationId: 'post-auth-customers-storefront',
      summary: 'Get a Storefront authToken for a customer (server-to-server: X-Auth-Token + X-Store-Hash, or the legacy authToken)',
      tags: ['Authentication'],
      authenticated: false,
      parameters: [
        { name: 'X-Auth-Token', in: 'header', schema: { type: 'string' } },
        { name: 'X-Store-Hash', in: 'header', schema: { type: 'string' } },
      ],
      requestBody: {
        type: 'object',
        required: ['customerId'],
        properties: {
          customerId: { type: 'integer' },
          channelId: { type: 'integer' },
          customerAccessToken: { type: 'object', properties: { value: { type: 'string' }, expires_at: { type: 'integer' } } },
        },
      },
      response: ioEnvelope({ type: 'object', required: ['token'], properties: { token: { type: 'array', items: { type: 'string' } } } }),
      errors: [401, 403, 404, 413, 415, 422, 429],
      errorStyle: 'io',
    },
    onRequest: async (request) => authenticateServerToServer(request),
    async handler(request) {
      const storeHash = request.b2bCaller?.storeHash ?? '';
      const body = bodyObject(request.body);
      const errors: FieldErrors = {};
      const customerId = optionalInteger(errors, 'customerId', body.customerId, true);
      const channelId = optionalInteger(errors, 'channelId', body.channelId);
      assertValid(errors);
      if (customerId === undefined) throw new AppError('B2B_PARAMETER_ERROR');
      const result = await request.services.b2bTokens.signInAsCustomer({ storeHash, customerId, ...(channelId !== undefined ? { channelId } : {}) });
      return okIo({ token: [result.token] });
    },
  });
}

export function registerV2LoginRoute(app: FastifyInstance, docs: B2bRouteDoc[]): void {
  registerRoute(app, docs, {
    doc: {
      method: 'POST',
      url: '/api/v2/login',
      operationId: 'post-login',
      summary: 'Get Storefront authToken within Stencil (Current Customer JWT)',
      tags: ['Authentication'],
      authenticated: false,
      requestBody: {
        type: 'object',
        required: ['bcToken'],
        properties: {
          bcToken: { type: 'string' },
          storeHash: { type: 'string' },
          channelId: { type: 'number' },
          customerId: { type: 'integer' },
        },
      },
      response: v2Envelope(tokenData),
      errors: [400, 401, 413, 415, 422, 429],
      errorStyle: 'v2',
    },
    async handler(request) {
      const body = bodyObject(request.body);
      const bcToken = typeof body.bcToken === 'string' ? body.bcToken : undefined;
      const storeHash = typeof body.storeHash === 'string' && body.storeHash.trim() !== '' ? body.storeHash.trim() : undefined;
      await countForStore(request, storeHash ?? (bcToken ? peekStoreHash(bcToken) : undefined));
      const errors: FieldErrors = {};
      requiredString(errors, 'bcToken', body.bcToken);
      const channelId = optionalInteger(errors, 'channelId', body.channelId);
      const customerId = optionalInteger(errors, 'customerId', body.customerId);
      if (body.storeHash !== undefined && body.storeHash !== null && typeof body.storeHash !== 'string') addError(errors, 'storeHash', 'Not a valid string.');
      assertValid(errors);
      if (bcToken === undefined) throw new AppError('B2B_PARAMETER_ERROR');
      const result = await request.services.b2bTokens.signInWithCurrentCustomerJwt({
        jwt: bcToken,
        ...(storeHash !== undefined ? { storeHash } : {}),
        ...(customerId !== undefined ? { customerId } : {}),
        ...(channelId !== undefined ? { channelId } : {}),
      });
      return ok({ token: result.token });
    },
  });
}
