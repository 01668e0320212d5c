import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type GraphQLError, type GraphQLSchema, Kind, type OperationDefinitionNode } from 'graphql';
import { answerKey, createAnswerCache, createItemAnswerCache, type ItemDependency } from '../../http/answer-cache.js';
import { companyUsersTenant } from '../../domain/domain-events.js';
import { logOperation } from '../../http/request-log.js';
import { B2B_CORS_HEADERS, type B2bCaller, quotaHeaders, resolveB2bCaller, throttledError } from '../../http/b2b-caller.js';
import type { RateLimitDecision } from '../../domain/rate-limits/rate-limiter.js';
import { createGraphqlEngine, type GraphqlEngine, getVariableValues } from '../engine/graphql-engine.js';
import { graphiqlHtml } from '../graphiql.js';
import { DEMO_B2B_SIGN_IN, DEMO_COMPANY_ID, demoB2bToken } from '../graphiql-demo.js';
import { createB2bSchema } from './b2b-schema.js';
import { type B2bContext, type RateLimitState, createB2bContext } from './context.js';
import { type B2bErrorJson, formatExecutionErrors, messageOf, requestError } from './errors.js';
import { b2bResolvers } from './resolvers.js';
import { tokenStateOf } from './token.js';

/**
 * `POST /graphql`: the B2B storefront GraphQL endpoint (b2b-users-rest.md §14 #22, #28-#32).
 * Transport: JSON bodies only (415 otherwise), not JSON or a batched array → HTTP 400; syntax,
 * validation, variable and limit errors → HTTP 200 with `errors[]` code 400; a successful response
 * has no `errors` key. `GET` with `Accept: text/html` serves GraphiQL; other methods → 405.
 */
export const B2B_LIMITS = {
  maxComplexity: 4500,
  maxDepth: 15,
  maxAliases: 100,
  defaultPageSize: 10,
  maxPageSize: 250,
} as const;

const ALLOW = 'GET, POST, OPTIONS';

export async function b2bGraphqlRoutes(app: FastifyInstance): Promise<void> {
  /**
   * Error-free answers of queries (http/answer-cache.ts), per B2B data version (`readVersion.take()`:
   * any write by any process moves it, on both engines), token text and exact body. The caller is
   * still verified (expiry, storage re-read when the version moved) and counted against its
   * store's quota on every request; a resolver that depends on more opts out (notCacheable).
   */
  const answers = createAnswerCache();
  // SQLite: answers of documents that read only a Company's users, kept per the users they show
  const itemAnswers = createItemAnswerCache();
  // built on the first request: an app that never serves B2B GraphQL (most test files, most CLI
  // runs) does not pay for it at start (about a fifth of buildApp + ready)
  let built: { schema: GraphQLSchema; engine: GraphqlEngine } | undefined;
  app.addHook('onClose', async () => built?.engine.close());
  const b2b = () => {
    if (built) return built;
    const schema = createB2bSchema(b2bResolvers);
    built = { schema, engine: createGraphqlEngine(schema, { ...B2B_LIMITS, pageSizeArgs: ['first', 'last'], connectionSuffixes: ['Connection'] }) };
    return built;
  };

  // this plugin reads bodies itself: JSON is parsed here (so hooks such as the emulator's request
  // journal see the object), a JSON syntax error becomes a marker answered with 400 by the handler,
  // and any other content type stays a string that the handler answers with 415
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    if (!isJsonContentType(request.headers['content-type'])) return done(null, body);
    request.jsonText = body as string;
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(null, INVALID_JSON);
    }
  });

  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.headers(B2B_CORS_HEADERS);
    done(null, payload);
  });

  // errors Fastify raises before the handler (body too large, bad framing) in this API's own format
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || error.statusCode === 413) {
      return sendErrors(reply, 413, [requestError('Request Entity Too Large', 413)]);
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return sendErrors(reply, error.statusCode, [requestError(error.statusCode === 415 ? 'Unsupported media type' : 'Bad request', error.statusCode)]);
    }
    request.log.error({ err: error }, 'unexpected error in B2B GraphQL');
    return sendErrors(reply, 500, [requestError('Internal server error', 500)]);
  });

  app.options('/graphql', async (_request, reply) => reply.code(204).send());

  app.get('/graphql', async (request, reply) => {
    if (wantsHtml(request)) {
      // the page posts back to the URL it was served from (also under a fork's /f/{forkId}/ prefix)
      const endpoint = (request.originalUrl ?? request.url).split('?', 1)[0] as string;
      const demoToken = await demoB2bToken(request, request.services);
      const page = demoToken !== undefined ? demoB2bPage(demoToken) : { headers: { Authorization: 'Bearer ' } };
      return reply.type('text/html; charset=utf-8').send(graphiqlHtml({ endpoint, title: 'Roster: B2B storefront GraphQL', ...page }));
    }
    return methodNotAllowed(reply);
  });

  app.route({ method: ['PUT', 'DELETE', 'PATCH'], url: '/graphql', handler: async (_request, reply) => methodNotAllowed(reply) });

  app.post('/graphql', async (request, reply) => {
    const services = request.services;

    // 1. who is calling (a token is only verified here; operations decide whether they need one);
    //    the data version is taken first: an answer is cached only if nothing changed since
    // 2. and the quota of the token's store (known once its signature holds), whatever the outcome
    //    (§14 #14): http/b2b-caller.ts, as REST; operations that name their store in arguments
    //    (login, authorization) count in their resolvers
    const caller = await resolveB2bCaller(services, request.headers);
    const { version, token: rawToken } = caller;
    const token = tokenStateOf(caller);
    const rateLimit: RateLimitState = caller;
    if (rateLimit.decision && !rateLimit.decision.allowed) return sendRateLimited(reply, rateLimit.decision);

    // 3. transport
    if (!isJsonContentType(request.headers['content-type'])) return sendErrors(reply, 415, [requestError('Unsupported media type', 415)], rateLimit);
    // whole answers of queries of a valid caller, counted above (resolvers that depend on more opt out)
    const text = request.jsonText;
    const scope = { database: services.database, version };
    const cacheKey = token.kind === 'valid' && rateLimit.counted && rawToken !== undefined && text !== undefined ? answerKey(rawToken, text) : undefined;
    if (cacheKey !== undefined) {
      const hit = answers.get(scope, cacheKey) ?? itemAnswers.get(services.database, cacheKey);
      if (hit !== undefined) {
        const named = (request.body as { operationName?: unknown } | undefined)?.operationName;
        logOperation(reply, typeof named === 'string' ? named : undefined);
        return sendJson(reply, 200, hit, rateLimit);
      }
    }
    const body = parseBody(request.body);
    if ('error' in body) return sendErrors(reply, 400, [requestError(body.error, 400)], rateLimit);

    // 4. document: syntax, limits, validation (HTTP 200, code 400)
    const { engine, schema } = b2b();
    const preparing = engine.prepare(body.query, body.operationName);
    const prepared = preparing instanceof Promise ? await preparing : preparing;
    logOperation(reply, 'kind' in prepared ? body.operationName : prepared.operationName);
    if ('kind' in prepared) {
      const errors =
        prepared.kind === 'validation'
          ? prepared.errors.map((e) => requestError(e.message, 400, e.locations))
          : [requestError(prepared.error.message, 400, prepared.error.locations)];
      return sendErrors(reply, 200, errors, rateLimit);
    }
    if (prepared.operationType !== 'query' && prepared.operationType !== 'mutation') {
      return sendErrors(reply, 200, [requestError('Subscriptions are not supported.', 400)], rateLimit);
    }

    // 5. complexity, with the page sizes the variables give (JSON numbers, as coercion keeps them)
    const variables = body.variables ?? {};
    if (!prepared.isIntrospectionOnly) {
      const complexity = prepared.complexity(variables);
      if (complexity > B2B_LIMITS.maxComplexity) {
        return sendErrors(
          reply,
          200,
          [
            requestError(
              `The query is too complex as it has a complexity score of ${complexity} out of ${B2B_LIMITS.maxComplexity}. Please remove some elements and try again`,
              400,
            ),
          ],
          rateLimit,
        );
      }
    }

    // 6. execute. graphql-jit coerces the variables first (undeclared ones are ignored); when they do
    //    not fit it answers errors and no data: a request error (code 400), worded by graphql-js's
    //    coercion, which is only run on this path (the happy path coerces once)
    const context = createB2bContext({ services, log: request.log, token, rateLimit });
    const result = await prepared.execute(context, variables);
    if (result.data === undefined && result.errors && result.errors.length > 0) {
      const standard = getVariableValues(schema, prepared.operation.variableDefinitions ?? [], variables, { maxErrors: 10 });
      const errors: readonly GraphQLError[] = standard.errors ?? result.errors;
      return sendErrors(reply, 200, errors.map((e) => requestError(e.message, 400, e.locations)), rateLimit);
    }
    if (!result.errors || result.errors.length === 0) {
      const json = JSON.stringify({ data: result.data ?? null });
      if (cacheKey !== undefined && prepared.operationType === 'query' && context.cacheable) {
        const dependency = itemDependencyOf(prepared.operation, context, caller);
        if (dependency) itemAnswers.keep(services.database, cacheKey, json, dependency);
        else await answers.keep(scope, cacheKey, json, () => services.readVersion.take());
      }
      return sendJson(reply, 200, json, rateLimit);
    }
    const formatted = formatExecutionErrors(result.errors, (err) => request.log.error({ err }, 'unexpected error in a B2B GraphQL resolver'));
    if (formatted.rateLimited && rateLimit.decision) return sendRateLimited(reply, rateLimit.decision);
    return send(reply, 200, { errors: formatted.errors, data: result.data ?? null }, rateLimit);
  });
}

/** the top-level fields whose whole answer comes from a Company's users (their nodes: user fields, role names, `companyInfo`) */
const USER_READS = new Set(['users', 'user', '__typename']);

/**
 * What a query's answer depends on, for the per-item cache: only when every top-level field is a
 * Company-user read (no fragment at the top: each field is seen by name), every read named the
 * caller's own Company, and the caller is one of its users (its own row: its role decides). The
 * union of the users they showed, or null when one of them depends on the whole Company.
 */
function itemDependencyOf(operation: OperationDefinitionNode, context: B2bContext, caller: B2bCaller): ItemDependency | undefined {
  const principal = caller.principal;
  if (!caller.mark || principal?.kind !== 'companyUser' || context.shown.length === 0) return undefined;
  if (!operation.selectionSet.selections.every((s) => s.kind === Kind.FIELD && USER_READS.has(s.name.value))) return undefined;
  let items: number[] | null = [principal.userId];
  const alsoIfs: ((item: number) => boolean)[] = [];
  for (const read of context.shown) {
    if (read.companyId !== principal.companyId) return undefined;
    items = read.items === null || items === null ? null : [...items, ...read.items];
    if (read.alsoIf) alsoIfs.push(read.alsoIf);
  }
  const alsoIf = alsoIfs.length === 0 ? undefined : alsoIfs.length === 1 ? alsoIfs[0] : (item: number) => alsoIfs.some((f) => f(item));
  return { shows: [{ tenant: companyUsersTenant(principal.companyId), items, ...(alsoIf ? { alsoIf } : {}) }], mark: caller.mark };
}

interface GraphqlBody {
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
}

/** What the body parser leaves for a JSON body that does not parse. */
const INVALID_JSON: unique symbol = Symbol('invalid JSON');

function parseBody(parsed: unknown): GraphqlBody | { error: string } {
  if (parsed === INVALID_JSON) return { error: 'JSON parse error' };
  if (parsed === undefined) return { error: 'Must provide query string.' };
  if (Array.isArray(parsed)) return { error: 'Batched requests are not supported.' };
  if (parsed === null || typeof parsed !== 'object') return { error: 'The request body must be a JSON object.' };
  const { query, operationName, variables } = parsed as Record<string, unknown>;
  if (typeof query !== 'string' || query.trim() === '') return { error: 'Must provide query string.' };
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return { error: 'operationName must be a string.' };
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) {
    return { error: 'Variables must be a JSON object.' };
  }
  return {
    query,
    operationName: typeof operationName === 'string' && operationName !== '' ? operationName : undefined,
    variables: (variables ?? undefined) as Record<string, unknown> | undefined,
  };
}

function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const type = header.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/** The page on a loopback demo world: a token of the demo admin, and how to get one yourself. */
function demoB2bPage(token: string): { headers: Record<string, string>; query: string } {
  const { storeHash, email, password, channelId } = DEMO_B2B_SIGN_IN;
  return {
    headers: { Authorization: `Bearer ${token}` },
    query: `# The headers hold a DEMO storefront token of ${email} (fixtures/demo.json), signed in for this page on a
# loopback Roster serving the demo world only. Run Users; SignIn shows how a client gets a token itself.
query Users {
  users(companyId: ${DEMO_COMPANY_ID}, first: 12, offset: 0) {
    totalCount
    edges { node { id email firstName lastName role companyRoleName } }
  }
}

mutation SignIn {
  login(loginData: { storeHash: "${storeHash}", email: "${email}", password: "${password}", channelId: ${channelId} }) {
    result { token permissions { code permissionLevel } }
  }
}
`,
  };
}

function wantsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.toLowerCase().includes('text/html');
}

function send(reply: FastifyReply, status: number, body: unknown, rateLimit?: RateLimitState) {
  return sendJson(reply, status, JSON.stringify(body), rateLimit);
}

/** an answer already serialized (a cached or just-built `{data}`) */
function sendJson(reply: FastifyReply, status: number, json: string, rateLimit?: RateLimitState) {
  return reply.code(status).headers(quotaHeaders(rateLimit?.decision ?? null)).type('application/json; charset=utf-8').send(json);
}

function sendErrors(reply: FastifyReply, status: number, errors: B2bErrorJson[], rateLimit?: RateLimitState) {
  return send(reply, status, { errors }, rateLimit);
}

function sendRateLimited(reply: FastifyReply, decision: RateLimitDecision) {
  const error = throttledError(decision);
  return send(reply, 429, { errors: [requestError(messageOf(error), 429)] }, { decision, counted: true });
}

function methodNotAllowed(reply: FastifyReply) {
  reply.header('allow', ALLOW);
  return sendErrors(reply, 405, [requestError('Method not allowed', 405)]);
}

