import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type DocumentNode, type GraphQLError, Kind, type SelectionSetNode } from 'graphql';
import { authenticateAccountToken } from '../../auth/account-auth.js';
import { accountGraphqlErrors } from '../../http/error-formats.js';
import { answerKey, createAnswerCache, createItemAnswerCache } from '../../http/answer-cache.js';
import { ledgerMark } from '../../db/tenant-ledger.js';
import { ACCOUNT_USER_TOUCHES_TENANT } from '../../domain/domain-events.js';
import { logOperation } from '../../http/request-log.js';
import type { RateLimitDecision } from '../../domain/rate-limits/rate-limiter.js';
import { createGraphqlEngine, type GraphqlEngine } from '../engine/graphql-engine.js';
import { graphiqlHtml } from '../graphiql.js';
import { demoAccountToken } from '../graphiql-demo.js';
import { createAccountSchema } from './account-schema.js';
import { type AccountContext, createAccountLoaders } from './context.js';
import { formatExecutionError, type GraphqlErrorBody, INTERNAL_MESSAGE, requestError } from './errors.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './pagination.js';
import { keepStorePages, readsStorePages, USER_ROW_FIELDS } from './store-pages.js';

/**
 * POST /accounts/{account_uuid}/graphql (account-graphql.md §1, §7, §9, §11 #1-#4, #13).
 * HTTP checks run in the documented order: GraphiQL on GET text/html; 405; 413; 401; 403; 429
 * (counted from here); 415; 400; then GraphQL. The plugin reads the body itself (as bytes) so
 * that content type and JSON errors come after authentication, as the order demands.
 */
export const ACCOUNT_GRAPHQL_PATH = '/accounts/:account_uuid/graphql';

const ACCOUNT_PATH = /^\/accounts\/([^/?]*)(\/graphql\/?(?:\?.*)?)$/;

/**
 * For Fastify's `rewriteUrl`: an account segment that does not decode (`%zz`, a lone `%FF`) is kept
 * as its literal text, so the request goes through the documented order of checks (401, then 403
 * for an account that is not the token's) instead of a 400 for the URL, whatever the segment's shape.
 */
export function tolerantAccountPath(url: string): string {
  if (!url.startsWith('/accounts/') || !url.includes('%')) return url;
  const m = ACCOUNT_PATH.exec(url);
  if (!m) return url;
  const segment = m[1] as string;
  try {
    decodeURIComponent(segment);
    return url;
  } catch {
    return `/accounts/${segment.replace(/%/g, '%25')}${m[2]}`;
  }
}

export const ACCOUNT_LIMITS = {
  maxDepth: 15,
  maxAliases: 100,
  maxComplexity: 10_000,
  defaultPageSize: DEFAULT_PAGE_SIZE,
  maxPageSize: MAX_PAGE_SIZE,
  outOfRangePageSizes: 'skip',
} as const;

const FORBIDDEN_MESSAGE = 'You do not have permission to do this operation.';
const SYNTAX_ERROR_MESSAGE = 'Syntax error while parsing GraphQL query.';
const RATE_LIMITED_BODY = { status: 429, title: 'Too many requests', type: '/api-docs/getting-started/api-status-codes', errors: {} };

interface Params {
  account_uuid: string;
}

function httpError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(accountGraphqlErrors(message, code));
}

function acceptsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  return typeof accept === 'string' && accept.toLowerCase().includes('text/html');
}

function isJsonContentType(value: string | undefined): boolean {
  if (value === undefined) return false;
  const media = value.split(';', 1)[0]?.trim().toLowerCase();
  return media === 'application/json';
}

function setRateLimitHeaders(reply: FastifyReply, decision: RateLimitDecision): void {
  reply.header('x-rate-limit-time-window-ms', String(decision.windowMs));
  reply.header('x-rate-limit-time-reset-ms', String(decision.resetMs));
  reply.header('x-rate-limit-requests-quota', String(decision.limit));
  reply.header('x-rate-limit-requests-left', String(decision.remaining));
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

interface GraphqlRequestBody {
  query: string;
  variables: Record<string, unknown> | undefined;
  operationName: string | undefined;
}

/** The GraphQL-over-HTTP body, or a message saying why it is not one (a 400). */
function readBody(text: string): GraphqlRequestBody | string {
  if (text.length === 0) return 'The request body must be a JSON object with a "query" string.';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'The request body is not valid JSON.';
  }
  if (Array.isArray(parsed)) return 'Batched requests are not supported: send one operation per request.';
  if (parsed === null || typeof parsed !== 'object') return 'The request body must be a JSON object with a "query" string.';
  const body = parsed as Record<string, unknown>;
  if (typeof body.query !== 'string' || body.query.trim().length === 0) return 'The request body must have a non-empty "query" string.';
  const variables = body.variables;
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) {
    return '"variables" must be a JSON object.';
  }
  const operationName = body.operationName;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return '"operationName" must be a string.';
  return {
    query: body.query,
    variables: (variables ?? undefined) as Record<string, unknown> | undefined,
    operationName: (operationName ?? undefined) as string | undefined,
  };
}

/** A query response as sent, with the headers that belong to it. */
interface CachedResponse {
  body: string;
  /** a kept page of store users (store-pages.ts): the body as it is now, or undefined (build it again) */
  fill?: () => Promise<string | undefined>;
  complexity?: string | undefined;
  operationType?: string | undefined;
  operationName?: string | undefined;
}

export async function accountGraphqlRoutes(app: FastifyInstance): Promise<void> {
  // built on the first request (as the B2B one): apps that never serve it do not pay at start
  let engine: GraphqlEngine | undefined;
  app.addHook('onClose', async () => engine?.close());
  /**
   * Query answers without errors (http/answer-cache.ts), per API account and exact request body,
   * valid for one data version (services.readVersion, db/data-version.ts; both engines): any write anywhere
   * empties it, so it is exact.
   */
  const responses = createAnswerCache<CachedResponse>();
  /** SQLite: answers of documents that read only the account's users, kept per the users they show (http/answer-cache.ts) */
  const itemResponses = createItemAnswerCache<CachedResponse>();

  // this plugin's own body handling: bytes for every content type, judged in the handler
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || error.statusCode === 413) {
      return httpError(reply, 413, 'PAYLOAD_TOO_LARGE', 'The request body is larger than 1 MiB.');
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return httpError(reply, 400, 'BAD_REQUEST', 'The request could not be read.');
    }
    request.log.error({ err: error }, 'unexpected error in the Account GraphQL API');
    return httpError(reply, 500, 'INTERNAL_SERVER_ERROR', INTERNAL_MESSAGE);
  });

  app.route<{ Params: Params }>({
    method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    url: ACCOUNT_GRAPHQL_PATH,
    // before the body is read: GraphiQL, or 405 for anything but POST
    onRequest: async (request, reply) => {
      if (request.method === 'POST') return;
      if (request.method === 'GET' && acceptsHtml(request)) {
        const endpoint = (request.originalUrl ?? request.url).split('?', 1)[0] as string;
        const demoToken = await demoAccountToken(request, request.services);
        const example = 'query AccountUsers {\n  account {\n    id\n    users(first: 10) {\n      edges { node { id email firstName lastName } }\n      collectionInfo { totalItems }\n    }\n  }\n}\n';
        reply.type('text/html; charset=utf-8').send(
          graphiqlHtml({
            endpoint,
            title: 'Roster · GraphQL Account API',
            headers: { 'X-Auth-Token': demoToken ?? '' },
            query:
              demoToken !== undefined
                ? `# The headers hold the DEMO token of fixtures/demo.json (filled in on a loopback Roster serving the\n# demo world only). Press the run button.\n${example}`
                : example,
          }),
        );
        return reply;
      }
      reply.header('allow', 'POST');
      httpError(reply, 405, 'METHOD_NOT_ALLOWED', `Method ${request.method} is not allowed here; use POST.`);
      return reply;
    },
    handler: async (request, reply) => {
      const services = request.services;
      const uuid = request.params.account_uuid.toLowerCase();

      const version = await services.readVersion.take();
      // SQLite: the tenant ledger's position, before the caller is resolved or anything read
      const mark = ledgerMark(services.database);
      const token = singleHeader(request.headers['x-auth-token']);
      const principal = await authenticateAccountToken(services.database, token, version);
      if (!principal) {
        return httpError(
          reply,
          401,
          'UNAUTHENTICATED',
          token === undefined || token === '' ? 'No X-Auth-Token header was sent.' : 'The X-Auth-Token is not valid.',
        );
      }
      if (principal.accountUuid !== uuid) return httpError(reply, 403, 'FORBIDDEN', FORBIDDEN_MESSAGE);

      const decision = await services.rateLimiter.consume(`account:${uuid}`, services.rateLimitSettingFor('account', uuid));
      if (decision) {
        setRateLimitHeaders(reply, decision);
        if (!decision.allowed) {
          const seconds = String(Math.ceil(decision.resetMs / 1000));
          return reply.code(429).header('x-retry-after', seconds).header('retry-after', seconds).send(RATE_LIMITED_BODY);
        }
      }

      if (!isJsonContentType(request.headers['content-type'])) {
        return httpError(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json.');
      }
      const text = Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '';
      const scope = { database: services.database, version };
      const cacheKey = answerKey(String(principal.apiAccountId), text);
      const hit = responses.get(scope, cacheKey) ?? itemResponses.get(services.database, cacheKey);
      if (hit && !hit.fill) return sendResponse(reply, hit);
      if (hit?.fill) {
        // a page of store users: its totals as they are now, if it still shows the same users
        const filled = await hit.fill();
        if (filled !== undefined && itemResponses.get(services.database, cacheKey) === hit) return sendResponse(reply, { ...hit, body: filled });
      }
      const body = readBody(text);
      if (typeof body === 'string') return httpError(reply, 400, 'BAD_REQUEST', body);

      const context: AccountContext = {
        services,
        principal,
        accountUuid: uuid,
        log: request.log,
        loaders: createAccountLoaders(services),
        shown: [],
        storePages: [],
      };
      engine ??= createGraphqlEngine(createAccountSchema(), ACCOUNT_LIMITS);
      const response = await execute(engine, body, context);
      const json = JSON.stringify(response.body);
      const sent: CachedResponse = { body: json, ...response.headers };
      if (response.cacheable) {
        const pages = mark && response.document && context.storePages && context.storePages.length > 0 && readsStorePages(response.document) ? keepStorePages(response.body, context.storePages, services.accounts) : undefined;
        if (mark && pages) {
          itemResponses.keep(services.database, cacheKey, { ...sent, fill: pages.fill }, { shows: shownBy(response.document, [...context.shown, ...pages.shows]), mark });
        } else if (mark && response.document && context.shown.length > 0 && readsOnlyAccountUsers(response.document)) {
          itemResponses.keep(services.database, cacheKey, sent, { shows: shownBy(response.document, context.shown), mark });
        } else await responses.keep(scope, cacheKey, sent, () => services.readVersion.take());
      }
      return sendResponse(reply, sent);
    },
  });
}

function sendResponse(reply: FastifyReply, response: CachedResponse): FastifyReply {
  logOperation(reply, response.operationName);
  if (response.complexity !== undefined) reply.header('x-bc-graphql-complexity', response.complexity);
  if (response.operationType !== undefined) reply.header('x-bc-graphql-operation-type', response.operationType);
  if (response.operationName !== undefined) reply.header('x-bc-graphql-operation-name', response.operationName);
  return reply.type('application/json; charset=utf-8').send(response.body);
}

type GraphqlResponse = { data?: unknown; errors?: GraphqlErrorBody[] };

interface Executed {
  body: GraphqlResponse;
  headers: Omit<CachedResponse, 'body'>;
  /** a query answered without errors: the same request under the same storage version gets the same answer */
  cacheable: boolean;
  /** the document executed (for the per-item cache's check) */
  document?: DocumentNode;
}

/**
 * Every field a document names, in its operations and fragments, is one of `account { id users {
 * ...the user fields that come from the user's row and its status in the account } }`: its answer
 * then shows only the account's users (what \`account.users\` reports in context.shown). Store-scoped
 * fields (permissions, apps, stores) and everything else keep the data-version cache.
 */
const ACCOUNT_USER_FIELDS = new Set<string>([
  ...USER_ROW_FIELDS,
  'account',
  'users',
  'edges',
  'cursor',
  'node',
  'pageInfo',
  'hasNextPage',
  'hasPreviousPage',
  'startCursor',
  'endCursor',
  'collectionInfo',
  'totalItems',
]);

/**
 * What a kept answer depends on, of what its reads showed: the users' `updatedAt` (which every
 * membership write bumps, domain-events.ts ACCOUNT_USER_TOUCHES_TENANT) only when the document asks
 * for it somewhere, so an answer of names and e-mails is kept through its users' membership writes.
 */
function shownBy(document: DocumentNode | undefined, shown: AccountContext['shown']): AccountContext['shown'] {
  if (document === undefined || asksFor(document, 'updatedAt')) return shown;
  return shown.filter((s) => s.tenant !== ACCOUNT_USER_TOUCHES_TENANT);
}

/** Does a field of this name appear anywhere in the document (its operations and fragments)? */
function asksFor(document: DocumentNode, field: string): boolean {
  const inSet = (set: SelectionSetNode | undefined): boolean =>
    set?.selections.some((selection) => (selection.kind === Kind.FIELD ? selection.name.value === field || inSet(selection.selectionSet) : selection.kind === Kind.INLINE_FRAGMENT && inSet(selection.selectionSet))) ?? false;
  return document.definitions.some((definition) => (definition.kind === Kind.OPERATION_DEFINITION || definition.kind === Kind.FRAGMENT_DEFINITION) && inSet(definition.selectionSet));
}

function readsOnlyAccountUsers(document: DocumentNode): boolean {
  const fieldsAllowed = (set: SelectionSetNode | undefined): boolean =>
    set === undefined ||
    set.selections.every((selection) => (selection.kind === Kind.FIELD ? ACCOUNT_USER_FIELDS.has(selection.name.value) && fieldsAllowed(selection.selectionSet) : selection.kind === Kind.INLINE_FRAGMENT ? fieldsAllowed(selection.selectionSet) : true));
  return document.definitions.every((definition) => {
    if (definition.kind === Kind.OPERATION_DEFINITION) return definition.operation === 'query' && fieldsAllowed(definition.selectionSet);
    if (definition.kind === Kind.FRAGMENT_DEFINITION) return fieldsAllowed(definition.selectionSet);
    return false;
  });
}

const validationFailed = (errors: readonly GraphQLError[]): GraphqlResponse => ({
  errors: errors.map((e) => requestError(e.message, 'GRAPHQL_VALIDATION_FAILED', e)),
});

const uncounted = (body: GraphqlResponse): Executed => ({ body, headers: {}, cacheable: false });

async function execute(engine: GraphqlEngine, body: GraphqlRequestBody, context: AccountContext): Promise<Executed> {
  const preparing = engine.prepare(body.query, body.operationName);
  const prepared = preparing instanceof Promise ? await preparing : preparing;
  if ('kind' in prepared) {
    switch (prepared.kind) {
      case 'parse':
        return uncounted({ errors: [requestError(SYNTAX_ERROR_MESSAGE, 'GRAPHQL_PARSE_FAILED', prepared.error, { detail: prepared.error.message })] });
      case 'validation':
        return uncounted(validationFailed(prepared.errors));
      default:
        return uncounted(validationFailed([prepared.error]));
    }
  }
  if (prepared.operationType === 'subscription') {
    return uncounted({ errors: [requestError('Subscriptions are not supported.', 'GRAPHQL_VALIDATION_FAILED')] });
  }
  const complexity = prepared.complexity(body.variables);
  const headers = { complexity: String(complexity), operationType: prepared.operationType, operationName: prepared.operationName };
  if (complexity > ACCOUNT_LIMITS.maxComplexity) {
    const message = `The query is too complex as it has a complexity score of ${complexity} out of ${ACCOUNT_LIMITS.maxComplexity}. Please remove some elements and try again`;
    return { body: { errors: [requestError(message, 'GRAPHQL_VALIDATION_FAILED')] }, headers, cacheable: false };
  }
  const result = await prepared.execute(context, body.variables);
  if (!('data' in result)) {
    // graphql-jit reports variables it could not coerce without data (§11 #4)
    return { body: { data: null, errors: (result.errors ?? []).map((e) => requestError(e.message, 'BAD_USER_INPUT', e)) }, headers, cacheable: false };
  }
  if (!result.errors || result.errors.length === 0) return { body: { data: result.data }, headers, cacheable: prepared.operationType === 'query', document: prepared.document };
  return { body: { data: result.data, errors: result.errors.map((e) => formatExecutionError(e, context.log)) }, headers, cacheable: false };
}
