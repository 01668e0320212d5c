import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import type { FuzzRequest } from './reliability-fuzz.js';
import { fail, jsonOf } from './reliability-fuzz.js';
import {
  badTokens,
  deepJson,
  family,
  gqlString,
  headerSafe,
  hostileJsonValue,
  hostileNumber,
  hostileString,
  invalidJsonText,
  oddContentType,
  encodeSegment,
  rawPercentSegments,
} from './reliability-generators.js';
import { secretsIn } from './reliability-secrets.js';

/**
 * Malformed and hostile requests for the Account GraphQL API (POST /accounts/{uuid}/graphql).
 * Every request is built so that it cannot write: mutations with the full-scope token always carry
 * an input that must be refused (an invalid e-mail, a store that is not the account's); other
 * mutations go with the read-only token, another account's token or none at all.
 */
export const ACCOUNT_A = '61db983a-cd07-4d6b-8b59-a5ffe285ca6a';
export const ACCOUNT_B = '0b9e5c3e-7d2f-4a51-9c4e-2f8a6b1d3e70';
export const TOKEN_FULL = 'demo-account-token-full';
export const TOKEN_READ = 'demo-account-token-read';
export const TOKEN_OTHER = 'demo-other-account-token';
/** account B's store, in both id forms */
export const OTHER_STORE_IDS = ['bc/account/store/z7y6x5w4v3', 'bc/account/store/2000001'];
export const OTHER_USER_ID = 'bc/account/user/2001';

/** account-graphql.md §10 #3: an e-mail normalizeEmail() must refuse. */
export function isInvalidEmail(value: string): boolean {
  const email = value.trim();
  const at = email.indexOf('@');
  return email.length === 0 || email.length > 255 || at <= 0 || at === email.length - 1 || email.indexOf('@', at + 1) !== -1;
}

const invalidEmail = fc.oneof(
  hostileString.filter(isInvalidEmail),
  fc.constantFrom('no-at-sign', 'two@@example.com', 'a@b@c', '@example.com', 'user@', '   ', `${'x'.repeat(250)}@example.com`),
);

/** Store ids that are not stores of account A. */
const foreignStoreId = fc.oneof(
  fc.constantFrom(...OTHER_STORE_IDS),
  hostileString,
  hostileNumber.map((n) => `bc/account/store/${n}`),
  fc.constantFrom('bc/account/store/', 'bc/account/store/F0QYCZPKB2 ', 'bc/account/store/f0qyczpkb2/..', 'bc/account/app/4869', 'bc/account/user/1001'),
);

const userIdValue = fc.oneof(hostileString, hostileNumber.map((n) => `bc/account/user/${n}`), fc.constant(OTHER_USER_ID));

/** A GraphQL literal of any type, often the wrong one for the argument it lands in. */
const anyLiteral: fc.Arbitrary<string> = fc.oneof(
  hostileNumber.map((n) => (Number.isInteger(n) ? String(n) : String(n).replace('e+', 'e'))),
  hostileString.map(gqlString),
  fc.constantFrom('true', 'null', '[]', '{}', '[1, "a"]', '{ ids: 1 }', 'ACTIVE', '$undeclared', '""', '"\\u0000"'),
);

const pageArgs = fc
  .record(
    {
      first: anyLiteral,
      last: anyLiteral,
      after: anyLiteral,
      before: anyLiteral,
      filters: fc.oneof(
        fc.record({ ids: fc.oneof(anyLiteral, fc.array(anyLiteral, { maxLength: 4 }).map((a) => `[${a.join(', ')}]`)), email: anyLiteral }, { requiredKeys: [] }).map(
          (r) => `{ ${Object.entries(r).map(([k, v]) => `${k}: ${v}`).join(', ')} }`,
        ),
        anyLiteral,
      ),
      bogus: anyLiteral,
    },
    { requiredKeys: [] },
  )
  .map((args) => {
    const entries = Object.entries(args);
    return entries.length === 0 ? '' : `(${entries.map(([k, v]) => `${k}: ${v}`).join(', ')})`;
  });

const userFields = 'id email firstName lastName locale lastLoginAt permissions status updatedAt';

const readDocument: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(pageArgs, pageArgs).map(([u, a]) => `{ account { id accountInfo { name } users${u} { collectionInfo { totalItems } pageInfo { hasNextPage endCursor } edges { cursor node { ${userFields} } } } apps${a} { edges { node { id name } } } } }`),
  fc.tuple(pageArgs, pageArgs, pageArgs).map(
    ([s, u, a]) => `query Q { account { stores${s} { edges { node { id name storeHash users${u} { edges { node { ${userFields} apps${a} { edges { node { id } } } } } } } } } } }`,
  ),
  fc.constantFrom(
    '{ account { nope } }',
    '{ __typename account { __typename } }',
    '{ account { createUserWithPassword } }',
    'subscription { account { id } }',
    'query { account { id } } query { account { id } }',
    '{ account { users { edges { node { id ...F } } } } } fragment F on User { ...F }',
    '{ account { id } } fragment Unused on Account { id }',
    '{ account(id: "x") { id } }',
    '{ __schema { types { name fields { name } } } }',
  ),
);

/** Mutations that must be refused even with the full-scope token. */
const refusedMutation: fc.Arbitrary<string> = fc.oneof(
  invalidEmail.map((e) => `mutation { account { addUserToAccount(input: { email: ${gqlString(e)} }) { account { id } } } }`),
  hostileString.map((e) => `mutation { account { removeUserFromAccount(input: { email: ${gqlString(e)} }) { accountId userId } } }`),
  fc
    .tuple(fc.oneof(userIdValue.map((id) => `{ id: ${gqlString(id)} }`), invalidEmail.map((e) => `{ email: ${gqlString(e)} }`), fc.constant('{}'), fc.constant('{ id: "bc/account/user/1002", email: "john.doe@example.com" }')), foreignStoreId)
    .map(([user, store]) => `mutation { user { addUserToStore(input: { user: ${user}, storeId: ${gqlString(store)} }) { storeId } } }`),
  fc
    .tuple(foreignStoreId, userIdValue)
    .map(([store, user]) => `mutation { user { removeUserFromStore(input: { storeId: ${gqlString(store)}, userId: ${gqlString(user)} }) { storeId user { id } } } }`),
);

/** Any mutation text, including valid ones: only ever sent without write access. */
const anyMutation: fc.Arbitrary<string> = fc.oneof(
  refusedMutation,
  fc.constantFrom(
    'mutation { account { addUserToAccount(input: { email: "fuzz.new.person@example.org" }) { account { id } } } }',
    'mutation { account { removeUserFromAccount(input: { email: "john.citizen@example.com" }) { accountId userId } } }',
    'mutation { user { addUserToStore(input: { user: { email: "john.citizen@example.com" }, storeId: "bc/account/store/k9d2mq7x1a" }) { storeId } } }',
    'mutation { user { removeUserFromStore(input: { storeId: "bc/account/store/f0qyczpkb2", userId: "bc/account/user/1003" }) { storeId } } }',
  ),
);

/** Documents with declared variables, sent with variables of the wrong type. */
const variableDocuments = [
  { query: 'query Q($first: Int, $after: String, $ids: [ID!], $email: String) { account { users(first: $first, after: $after, filters: { ids: $ids, email: $email }) { edges { node { id } } } } }', write: false },
  { query: 'query Q($last: Int, $before: String) { account { stores(last: $last, before: $before) { edges { cursor } } } }', write: false },
  { query: 'mutation M($input: AddUserToAccountInput!) { account { addUserToAccount(input: $input) { account { id } } } }', write: true },
  { query: 'mutation M($input: AddUserToStoreInput!) { user { addUserToStore(input: $input) { storeId } } }', write: true },
  { query: 'mutation M($input: RemoveUserFromStoreInput!) { user { removeUserFromStore(input: $input) { storeId } } }', write: true },
];

/** Variables for `input` that coerce (right shape) but must be refused. */
const refusedInputVariables = fc.oneof(
  invalidEmail.map((email) => ({ input: { email } })),
  fc.tuple(userIdValue, foreignStoreId).map(([id, storeId]) => ({ input: { user: { id }, storeId } })),
  fc.tuple(foreignStoreId, userIdValue).map(([storeId, userId]) => ({ input: { storeId, userId } })),
);

const hostileVariables = fc.oneof(
  fc.dictionary(fc.constantFrom('first', 'last', 'after', 'before', 'ids', 'email', 'input', 'extra', '__proto__'), hostileJsonValue, { maxKeys: 5 }),
  hostileJsonValue,
  fc.record({ first: hostileNumber, last: hostileNumber }, { requiredKeys: [] }),
);

function gqlRequest(family: string, token: string | undefined, body: unknown, uuid = ACCOUNT_A): FuzzRequest {
  return {
    family,
    method: 'POST',
    url: `/accounts/${uuid}/graphql`,
    headers: { 'content-type': 'application/json', ...(token !== undefined ? { 'x-auth-token': token } : {}) },
    payload: JSON.stringify(body),
  };
}

const anyToken = fc.constantFrom(TOKEN_FULL, TOKEN_READ, TOKEN_OTHER, undefined);
const uuidVariant = fc.oneof(
  fc.constantFrom(ACCOUNT_A, ACCOUNT_B, ACCOUNT_A.toUpperCase(), ` ${ACCOUNT_A}`, '00000000-0000-0000-0000-000000000000', `${ACCOUNT_A}x`, ACCOUNT_A.slice(1), 'x', '%20', ACCOUNT_A.replace(/-/g, '')),
  hostileString.filter((s) => s.length > 0 && s.length < 400).map((s) => encodeSegment(s)),
  fc.constantFrom(...rawPercentSegments).map((raw) => `${ACCOUNT_A.slice(0, 8)}${raw}`),
);

/** Any path key but account A's own (in any spelling). */
const foreignUuid = uuidVariant.filter((u) => {
  let decoded = u;
  try {
    decoded = decodeURIComponent(u);
  } catch {}
  return !decoded.toLowerCase().includes(ACCOUNT_A);
});

export const accountRequests: fc.Arbitrary<FuzzRequest> = family<FuzzRequest>(
  // structured reads with hostile arguments, with any token
  [6, fc.tuple(readDocument, anyToken).map(([query, token]) => gqlRequest('read-args', token, { query }))],
  // mutations that must be refused, with the full token
  [4, refusedMutation.map((query) => gqlRequest('refused-mutation', TOKEN_FULL, { query }))],
  // any mutation without write access
  [2, fc.tuple(anyMutation, fc.constantFrom(TOKEN_READ, TOKEN_OTHER, undefined)).map(([query, token]) => gqlRequest('mutation-no-access', token, { query }))],
  // any mutation at account B's URL with account A's token
  [1, anyMutation.map((query) => gqlRequest('mutation-cross-account', TOKEN_FULL, { query }, ACCOUNT_B))],
  // declared variables with the wrong types; write documents get arbitrary variables only with the read-only token
  [
    3,
    fc.tuple(fc.constantFrom(...variableDocuments), hostileVariables, refusedInputVariables, fc.boolean()).map(([doc, hostile, refused, sendRefused]) => {
      if (!doc.write) return gqlRequest('variables', TOKEN_FULL, { query: doc.query, variables: hostile });
      return sendRefused
        ? gqlRequest('variables', TOKEN_FULL, { query: doc.query, variables: refused })
        : gqlRequest('variables', TOKEN_READ, { query: doc.query, variables: hostile });
    }),
  ],
  // raw hostile text as the document, or injected unescaped into one
  [
    2,
    fc.tuple(hostileString, fc.constantFrom(TOKEN_FULL, TOKEN_READ)).map(([s, token]) =>
      gqlRequest('raw-document', token, { query: s }),
    ),
  ],
  [
    2,
    fc.tuple(hostileString, fc.constantFrom(TOKEN_READ, TOKEN_OTHER)).map(([s, token]) =>
      gqlRequest('injected-document', token, { query: `{ account { users(after: "${s}") { edges { node { id } } } } }` }),
    ),
  ],
  // odd shapes of an otherwise fine body
  [
    2,
    fc
      .tuple(
        fc.oneof(
          hostileJsonValue,
          fc.record({ query: hostileJsonValue, variables: hostileJsonValue, operationName: hostileJsonValue, extensions: hostileJsonValue }, { requiredKeys: [] }),
          fc.constant([{ query: '{ account { id } }' }, { query: '{ account { id } }' }]),
          fc.record({ query: fc.constant('{ account { id } }'), operationName: hostileString }),
        ),
        fc.constantFrom(TOKEN_FULL, TOKEN_READ),
      )
      .map(([body, token]) => gqlRequest('body-shape', token, body)),
  ],
  // bodies that are not JSON, with JSON or other content types
  [
    2,
    fc.tuple(fc.oneof(invalidJsonText, deepJson), oddContentType, fc.constantFrom(TOKEN_FULL, TOKEN_READ, undefined)).map(([payload, type, token]) => ({
      family: 'not-json',
      method: 'POST' as const,
      url: `/accounts/${ACCOUNT_A}/graphql`,
      headers: { ...(type !== undefined ? { 'content-type': type } : {}), ...(token ? { 'x-auth-token': token } : {}) },
      payload,
    })),
  ],
  // a valid body with a wrong content type
  [
    1,
    fc.tuple(oddContentType, fc.constantFrom(TOKEN_FULL, TOKEN_READ)).map(([type, token]) => ({
      family: 'content-type',
      method: 'POST' as const,
      url: `/accounts/${ACCOUNT_A}/graphql`,
      headers: { ...(type !== undefined ? { 'content-type': type } : {}), 'x-auth-token': token },
      payload: '{"query":"{ account { id } }"}',
    })),
  ],
  // bad tokens, odd account ids, other methods
  [
    2,
    fc.tuple(badTokens, uuidVariant, fc.oneof(readDocument, refusedMutation)).map(([token, uuid, query]) => ({
      ...gqlRequest('auth', headerSafe(token), { query }),
      url: `/accounts/${uuid}/graphql`,
    })),
  ],
  [1, fc.tuple(foreignUuid, fc.oneof(readDocument, anyMutation)).map(([uuid, query]) => gqlRequest('other-account', TOKEN_FULL, { query }, uuid))],
  [
    1,
    fc.tuple(fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS') as fc.Arbitrary<FuzzRequest['method']>, anyToken, fc.option(hostileString)).map(([method, token, body]) => ({
      family: 'method',
      method,
      url: `/accounts/${ACCOUNT_A}/graphql${method === 'GET' && body ? `?query=${encodeSegment(body.slice(0, 200))}` : ''}`,
      headers: { accept: 'application/json', ...(token ? { 'x-auth-token': token } : {}), ...(method !== 'GET' && body ? { 'content-type': 'application/json' } : {}) },
      ...(method !== 'GET' && method !== 'OPTIONS' && body ? { payload: JSON.stringify({ query: body }) } : {}),
    })),
  ],
);

const httpCodes: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/** account-graphql.md §9, §11 #2-#4: the Account API's own error formats; never a 5xx. */
export function checkAccountResponse(request: FuzzRequest, response: LightMyRequestResponse): void {
  if (response.statusCode >= 500) fail(`5xx from the Account API: ${response.statusCode}`);
  if (request.method === 'OPTIONS' && response.statusCode === 204) return;
  const body = jsonOf(response) as Record<string, unknown>;
  const leaked = secretsIn(response.body);
  if (leaked.length > 0) fail(`response contains ${leaked.map((s) => s.label).join(', ')}`);
  if (response.statusCode === 429) return;
  if (response.statusCode >= 400) {
    const expected = httpCodes[response.statusCode] ?? fail(`unexpected HTTP status ${response.statusCode}`);
    const errors = body.errors as { message?: unknown; extensions?: { code?: unknown } }[] | undefined;
    if (!Array.isArray(errors) || errors.length === 0) fail('HTTP-level error without errors[]');
    for (const e of errors) {
      if (typeof e.message !== 'string' || e.message === '') fail('error without a message');
      if (e.extensions?.code !== expected) fail(`HTTP ${response.statusCode} with extensions.code ${String(e.extensions?.code)}, expected ${expected}`);
    }
    return;
  }
  if (response.statusCode !== 200) fail(`unexpected HTTP status ${response.statusCode}`);
  if (!('data' in body) && !('errors' in body)) fail('a 200 without data or errors');
  if ('errors' in body) {
    const errors = body.errors as { message?: unknown; extensions?: { code?: unknown } }[];
    if (!Array.isArray(errors) || errors.length === 0) fail('errors is not a non-empty array');
    for (const e of errors) {
      if (typeof e.message !== 'string' || e.message === '') fail('error without a message');
      if (typeof e.extensions?.code !== 'string') fail('error without extensions.code');
      if (e.extensions.code === 'INTERNAL_SERVER_ERROR') fail('INTERNAL_SERVER_ERROR on client input');
      if (/\n\s+at |node_modules|\.ts:\d+/.test(e.message)) fail('a stack trace in an error message');
    }
  }
}
