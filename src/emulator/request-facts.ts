import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { type DocumentNode, type FieldNode, GraphQLError, Kind, type SelectionSetNode } from 'graphql';
import { parseGraphqlDocument } from '../shared/graphql-document.js';
import { createWeightedLru, textWeight } from '../shared/weighted-lru.js';
import type { RequestFacts } from './journal/faults.js';
import type { Principal } from './journal/request-journal.js';
import { apiOfPath } from '../http/api-error-response.js';

/**
 * What the emulator can tell about a request without running it: which API, which operation
 * (GraphQL root fields parsed here, cached per document), which credential, which account or store.
 */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

// ------------------------------------------------------------------------------ GraphQL

export interface GraphqlShape {
  operationType: 'query' | 'mutation' | 'subscription' | undefined;
  operationName: string | undefined;
  /** root fields, `root.child` paths and child names */
  fields: string[];
  /** root fields, with the Account API's wrappers (`account`, `user`) opened: `account.addUserToAccount` */
  label: string | undefined;
}

/** by document text (and operation name): the names only, never the parsed document (the shared parse cache bounds that) */
const shapes = createWeightedLru<GraphqlShape>({ maxEntries: 500, maxWeight: 8 * 1024 * 1024 });
const MAX_SHAPE_ROOTS = 50;

/**
 * The fields of a selection set, fragments opened. Each fragment is opened once per call (the
 * names are all that is read, so a second spread adds nothing): linear in the document's size
 * however its fragments spread each other.
 */
function fieldsOf(selectionSet: SelectionSetNode | undefined, document: DocumentNode, opened: Set<string> = new Set(), out: FieldNode[] = []): FieldNode[] {
  if (!selectionSet) return out;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) out.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) fieldsOf(selection.selectionSet, document, opened, out);
    else if (selection.kind === Kind.FRAGMENT_SPREAD && !opened.has(selection.name.value)) {
      opened.add(selection.name.value);
      const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value);
      if (fragment && fragment.kind === Kind.FRAGMENT_DEFINITION) fieldsOf(fragment.selectionSet, document, opened, out);
    }
  }
  return out;
}

export function graphqlShape(query: string, operationName: string | undefined): GraphqlShape {
  const key = operationName === undefined ? query : `${operationName}\u0000${query}`;
  const cached = shapes.get(key);
  if (cached) return cached;
  let shape: GraphqlShape;
  try {
    const document = parseGraphqlDocument(query);
    if (document instanceof GraphQLError) throw document;
    const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    const operation =
      operationName !== undefined ? operations.find((o) => o.kind === Kind.OPERATION_DEFINITION && o.name?.value === operationName) : operations[0];
    if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) throw new Error('no operation');
    const fields = new Set<string>();
    const labels: string[] = [];
    // the first MAX_SHAPE_ROOTS root fields are read (a real operation has a handful; each is
    // opened once more for its children, so this bounds the work of a document with thousands)
    for (const root of fieldsOf(operation.selectionSet, document).slice(0, MAX_SHAPE_ROOTS)) {
      const rootName = root.name.value;
      fields.add(rootName);
      const children = fieldsOf(root.selectionSet, document).map((c) => c.name.value);
      for (const child of children) {
        fields.add(`${rootName}.${child}`);
        fields.add(child);
      }
      if ((rootName === 'account' || rootName === 'user') && children.length > 0) labels.push(...children.map((c) => `${rootName}.${c}`));
      else labels.push(rootName);
    }
    shape = {
      operationType: operation.operation as GraphqlShape['operationType'],
      operationName: operation.name?.value ?? operationName,
      fields: [...fields],
      label: labels.length > 0 ? labels.join(',') : undefined,
    };
  } catch {
    shape = { operationType: undefined, operationName, fields: [], label: undefined };
  }
  shapes.set(key, shape, textWeight(key) + shape.fields.reduce((sum, field) => sum + textWeight(field) + 32, 0));
  return shape;
}

/**
 * A body as a value: an API may keep the body as bytes and parse it itself (the Account API does),
 * and the journal keeps JSON bodies as their text (http/json-body.ts); a JSON object or array in
 * text is parsed here, anything else is returned as it is.
 */
function bodyValue(body: unknown): unknown {
  if (!Buffer.isBuffer(body) && typeof body !== 'string') return body;
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : body;
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return body;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return body;
  }
}

function graphqlBody(value: unknown): { query: string; operationName: string | undefined; variables: Record<string, unknown> } | undefined {
  const body = bodyValue(value);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b.query !== 'string') return undefined;
  return {
    query: b.query,
    operationName: typeof b.operationName === 'string' && b.operationName !== '' ? b.operationName : undefined,
    variables: b.variables !== null && typeof b.variables === 'object' ? (b.variables as Record<string, unknown>) : {},
  };
}

/**
 * The shape of a GraphQL request body's operation (cached per document), or undefined when the body
 * holds no document. Cheaper than factsOf(), and allocates nothing that outlives the call: a
 * per-request check on a hot path (see Controls' mayWrite) must not keep request-sized objects alive.
 */
export function graphqlOperationOf(body: unknown): GraphqlShape | undefined {
  const gql = graphqlBody(body);
  return gql ? graphqlShape(gql.query, gql.operationName) : undefined;
}

// --------------------------------------------------------------------------- credentials

/** The parts of a request the emulator reads (a FastifyRequest is one; the journal keeps just these). */
export interface RequestParts {
  url: string;
  method: string;
  /** the route pattern, when one matched */
  route: string | undefined;
  /** the vendor's operationId of the route, where the API names one (Management API v3) */
  operationId?: string | undefined;
  headers: FastifyRequest['headers'];
  body: unknown;
}

export function partsOf(request: FastifyRequest): RequestParts {
  const operationId = (request.routeOptions.config as { operationId?: string } | undefined)?.operationId;
  return { url: request.url, method: request.method, route: request.routeOptions.url, operationId, headers: request.headers, body: request.body };
}

function header(request: Pick<RequestParts, 'headers'>, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : Array.isArray(value) ? value[0] : undefined;
}

export function credentialOf(request: Pick<RequestParts, 'headers'>): string | undefined {
  const auth = header(request, 'authorization');
  if (auth !== undefined) {
    const m = /^\s*Bearer\s+(\S+)/i.exec(auth);
    if (m) return m[1];
  }
  return header(request, 'x-auth-token')?.trim() || header(request, 'authtoken')?.trim() || undefined;
}

export function decodeJwtPayload(token: string | undefined): Record<string, unknown> | undefined {
  if (token === undefined) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as unknown;
    return payload !== null && typeof payload === 'object' ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function findKey(value: unknown, key: string, depth = 0): unknown {
  if (depth > 3 || value === null || typeof value !== 'object') return undefined;
  const obj = value as Record<string, unknown>;
  if (key in obj) return obj[key];
  for (const item of Object.values(obj)) {
    const found = findKey(item, key, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 12);
}

// -------------------------------------------------------------------------------- facts

export interface FullFacts extends RequestFacts {
  path: string;
  graphql: (GraphqlShape & { variables: Record<string, unknown> }) | undefined;
}

export function factsOf(request: RequestParts): FullFacts {
  const path = pathOf(request.url);
  const api = apiOfPath(path);
  const method = request.method;
  const route = request.route;
  const token = credentialOf(request);
  const body = bodyValue(request.body);
  const gql = api === 'account-graphql' || api === 'b2b-graphql' ? graphqlBody(body) : undefined;
  let operation: string | undefined;
  let fields: readonly string[];
  let graphql: FullFacts['graphql'];
  if (gql && (api === 'account-graphql' || api === 'b2b-graphql')) {
    const shape = graphqlShape(gql.query, gql.operationName);
    graphql = { ...shape, variables: gql.variables };
    operation = shape.operationName ?? shape.label;
    fields = shape.operationName !== undefined ? [...shape.fields, shape.operationName] : shape.fields;
  } else {
    const pattern = route ?? path;
    operation = `${method} ${pattern}`;
    fields = pattern === path ? [path, operation] : [pattern, path, operation];
    // fault rules and journal filters may name a route by its operationId (`companies_users_create`)
    if (request.operationId !== undefined) fields = [...fields, request.operationId];
  }
  let account: string | undefined;
  if (api === 'account-graphql') account = /^\/accounts\/([^/]+)/.exec(path)?.[1]?.toLowerCase();
  else if (api === 'b2b-rest' || api === 'b2b-graphql' || api === 'b2b-management') {
    const claims = decodeJwtPayload(token);
    const fromClaims = claims?.store_hash;
    const fromHeader = header(request, 'x-store-hash');
    const fromBody = findKey(body, 'storeHash');
    account = [fromClaims, fromHeader, fromBody].find((v): v is string => typeof v === 'string' && v !== '');
  }
  return { api, method, route, operation, fields, isGraphql: graphql !== undefined, token, account, path, graphql };
}

/** Who made the request, read from its credentials (not verified again: the API did that). */
export function principalOf(facts: FullFacts, body: unknown): Principal {
  if (facts.api === 'account-graphql' && facts.token !== undefined) {
    return { type: 'api-account', accountUuid: facts.account, tokenFingerprint: tokenFingerprint(facts.token) };
  }
  if (facts.api === 'b2b-rest' || facts.api === 'b2b-graphql') {
    const claims = decodeJwtPayload(facts.token);
    if (claims) {
      const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
      const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
      const p: Principal = { type: 'b2b-user' };
      const storeHash = str(claims.store_hash);
      if (storeHash !== undefined) p.storeHash = storeHash;
      const b2bUserId = num(claims.b2b_user_id);
      if (b2bUserId !== undefined) p.b2bUserId = b2bUserId;
      const bcCustomerId = num(claims.bc_customer_id);
      if (bcCustomerId !== undefined) p.bcCustomerId = bcCustomerId;
      const email = str(claims.email);
      if (email !== undefined) p.email = email;
      const channelId = num(claims.bc_channel_id);
      if (channelId !== undefined) p.channelId = channelId;
      return p;
    }
    const email = findKey(bodyValue(body), 'email');
    if (typeof email === 'string') {
      return { type: 'credentials', email, ...(facts.account !== undefined ? { storeHash: facts.account } : {}) };
    }
  }
  return { type: 'anonymous' };
}
