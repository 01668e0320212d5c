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
} from './reliability-generators.js';
import { type B2bTokens, GREAT_BUYS, GREAT_BUYS_WEST, PENDING, RIVAL, STORE_HASH } from './reliability-requests-b2b-rest.js';
import { secretsIn } from './reliability-secrets.js';

/**
 * Malformed and hostile requests for the B2B storefront GraphQL API (POST /graphql). As on REST,
 * writes are built to be refused: userCreate always has a fatal defect or a caller without
 * create_user; userUpdate and userDelete target users the caller may not change, or carry a fatal
 * defect; login never uses the fixture's password.
 */
const WRITABLE_USER_IDS = new Set([123, 124, 125, 126]);

const intLiteral = hostileNumber.map((n) => (Number.isInteger(n) ? String(n) : String(n).replace('e+', 'e')));
const anyLiteral: fc.Arbitrary<string> = fc.oneof(
  intLiteral,
  hostileString.map(gqlString),
  fc.constantFrom('true', 'null', '[]', '{}', '[1, "a"]', '{ a: 1 }', 'ADMIN', '$undeclared', '""', '123456', '124', '2147483648', '-2147483649'),
);
/** Int literals for a userId that nobody here may change (or not ints at all). */
const foreignUserLiteral = fc.oneof(
  fc.constantFrom('127', '200', '300', '0', '-1', '99999999', '2147483647', '2147483648', '"124"', '124.0', 'null', '[124]'),
  intLiteral.filter((s) => !WRITABLE_USER_IDS.has(Number(s))),
  hostileString.map(gqlString),
);
const companyLiteral = fc.oneof(fc.constantFrom(String(GREAT_BUYS), String(GREAT_BUYS_WEST), String(RIVAL), String(PENDING), '0', '-1'), anyLiteral);

function args(entries: Record<string, string | undefined>): string {
  const list = Object.entries(entries).filter(([, v]) => v !== undefined);
  return list.length === 0 ? '' : `(${list.map(([k, v]) => `${k}: ${v}`).join(', ')})`;
}

const userSelection = 'id bcId firstName lastName email phone role uuid companyRoleId companyRoleName createdAt updatedAt extraFields { fieldName fieldValue } companyInfo { companyId companyName }';

const pagingArgs = fc.record(
  { companyId: companyLiteral, offset: anyLiteral, first: anyLiteral, last: anyLiteral, after: anyLiteral, before: anyLiteral, search: anyLiteral, role: anyLiteral, companyRoleId: anyLiteral, email: anyLiteral, bogus: anyLiteral },
  { requiredKeys: [] },
);

const readDocument: fc.Arbitrary<string> = fc.oneof(
  pagingArgs.map((a) => `{ users${args(a)} { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${userSelection} } } } }`),
  fc.tuple(companyLiteral, anyLiteral).map(([c, u]) => `{ user(companyId: ${c}, userId: ${u}) { ${userSelection} } }`),
  anyLiteral.map((u) => `{ userCompany(userId: ${u}) { id companyName companyStatus addressLine1 city } }`),
  pagingArgs.map(({ companyId, offset, first, search }) => `{ companyRoles${args({ companyId, offset, first, search })} { totalCount edges { node { id name roleLevel roleType } } } }`),
  fc.tuple(anyLiteral, fc.option(companyLiteral, { nil: undefined })).map(([r, c]) => `{ companyRole${args({ roleId: r, companyId: c })} { id name permissions { code permissionLevel } } }`),
  fc
    .record({ email: anyLiteral, companyId: companyLiteral, storeHash: anyLiteral, channelId: anyLiteral }, { requiredKeys: ['email'] })
    .map((a) => `{ userEmailCheck${args(a)} { userType userInfo { id email role companyName } } }`),
  fc.record({ email: anyLiteral, storeHash: anyLiteral, channelId: anyLiteral }, { requiredKeys: [] }).map((a) => `{ customerEmailCheck${args(a)} { userType } }`),
  fc.constant('{ userExtraFields { fieldName fieldType isRequired } }'),
  fc.constantFrom(
    '{ nope }',
    '{ users { totalCount } }',
    'subscription { users(companyId: 1) { totalCount } }',
    '{ users(companyId: 123456) { edges { node { ...F } } } } fragment F on UserType { ...F }',
    'query A { userExtraFields { fieldName } } query B { userExtraFields { fieldName } }',
    '{ __schema { types { name } } }',
  ),
);

const invalidEmailLiteral = fc.oneof(
  hostileString.filter((s) => !s.includes('@') || /\s/.test(s.trim())).map(gqlString),
  fc.constantFrom('"plainaddress"', '"a@"', '"@example.com"', '"a b@example.com"', '"a@b"', '".a@example.com"', '"a..b@example.com"', `"${'x'.repeat(140)}@example.com"`),
);

/** userCreate inputs every implementation must refuse, whoever calls. */
const refusedCreate = fc
  .record({
    companyId: fc.constantFrom(String(GREAT_BUYS), String(GREAT_BUYS)),
    email: fc.oneof(fc.constant('"fuzz.tester@example.org"'), hostileString.map(gqlString)),
    firstName: fc.oneof(fc.constant('"Fuzz"'), hostileString.map(gqlString)),
    lastName: fc.oneof(fc.constant('"Tester"'), hostileString.map(gqlString)),
    phone: fc.option(hostileString.map(gqlString), { nil: undefined }),
    role: fc.option(anyLiteral, { nil: undefined }),
    companyRoleId: fc.option(anyLiteral, { nil: undefined }),
    uuid: fc.option(hostileString.map(gqlString), { nil: undefined }),
    extraFields: fc.option(anyLiteral, { nil: undefined }),
  })
  .chain((input) =>
    fc.oneof(
      invalidEmailLiteral.map((email) => ({ ...input, email })),
      fc.constantFrom('""', '"   "', '"\\t"').map((firstName) => ({ ...input, firstName })),
      fc.integer({ min: 151, max: 2000 }).map((n) => ({ ...input, lastName: `"${'n'.repeat(n)}"` })),
      fc.constant({ ...input, role: undefined, companyRoleId: undefined }),
      fc.constantFrom('3', '4', '7', '-1', '99').map((role) => ({ ...input, role, companyRoleId: undefined })),
      fc.constantFrom(String(RIVAL), String(PENDING), '0', '-1', '987654').map((companyId) => ({ ...input, companyId })),
    ),
  )
  .map((input) => `mutation { userCreate(userData: { ${Object.entries(input).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}: ${v}`).join(', ')} }) { user { id } } }`);

const updateFields = fc.record(
  { firstName: anyLiteral, lastName: anyLiteral, phone: anyLiteral, role: anyLiteral, companyRoleId: anyLiteral, email: anyLiteral, uuid: anyLiteral, extraFields: anyLiteral, addChannel: anyLiteral, companyRoleName: anyLiteral },
  { requiredKeys: [] },
);

/** userUpdate/userDelete on users nobody here may change. */
const foreignWrite = fc.oneof(
  fc.tuple(companyLiteral, foreignUserLiteral, updateFields).map(([c, u, f]) => {
    const fields = Object.entries(f).map(([k, v]) => `, ${k}: ${v}`).join('');
    return `mutation { userUpdate(userData: { companyId: ${c}, userId: ${u}${fields} }) { user { id } } }`;
  }),
  fc.tuple(companyLiteral, fc.oneof(foreignUserLiteral, fc.constant('123'))).map(([c, u]) => `mutation { userDelete(companyId: ${c}, userId: ${u}) { message } }`),
);

/** userUpdate on a writable user with a defect that must be refused. */
const refusedUpdate = fc
  .tuple(fc.constantFrom('124', '125', '126'), fc.oneof(
    fc.constantFrom('firstName: ""', 'lastName: "  "', 'email: "no-at-sign"', 'email: "a b@example.com"', 'role: 7', 'role: -1', `firstName: "${'f'.repeat(151)}"`),
    invalidEmailLiteral.map((e) => `email: ${e}`),
  ))
  .map(([u, field]) => `mutation { userUpdate(userData: { companyId: ${GREAT_BUYS}, userId: ${u}, ${field} }) { user { id } } }`);

/** Any user mutation, including valid ones: only for callers that may not change Great Buys users. */
const anyUserMutation = fc.oneof(
  refusedCreate,
  foreignWrite,
  fc.constantFrom(
    `mutation { userCreate(userData: { companyId: ${GREAT_BUYS}, email: "fuzz.new@example.org", firstName: "F", lastName: "T", role: 2 }) { user { id } } }`,
    `mutation { userUpdate(userData: { companyId: ${GREAT_BUYS}, userId: 125, firstName: "Changed" }) { user { id } } }`,
    `mutation { userDelete(companyId: ${GREAT_BUYS}, userId: 125) { message } }`,
  ),
);

const authMutation = fc.oneof(
  fc
    .record({ storeHash: fc.oneof(fc.constant(gqlString(STORE_HASH)), anyLiteral), email: fc.oneof(fc.constant('"m.curie@greatbuys.com"'), anyLiteral), password: anyLiteral, channelId: anyLiteral }, { requiredKeys: [] })
    .filter((r) => r.password !== '"Passw0rd!"')
    .map((r) => `mutation { login(loginData: { ${Object.entries(r).map(([k, v]) => `${k}: ${v}`).join(', ')} }) { result { token user { id } } } }`),
  fc.record({ bcToken: anyLiteral, channelId: anyLiteral }, { requiredKeys: [] }).map((r) => `mutation { authorization(authData: { ${Object.entries(r).map(([k, v]) => `${k}: ${v}`).join(', ')} }) { result { token loginType } } }`),
);

const variableDocuments = [
  { query: 'query Q($companyId: Int!, $first: Int, $offset: Int, $search: String, $role: Decimal) { users(companyId: $companyId, first: $first, offset: $offset, search: $search, role: $role) { totalCount } }', write: false },
  { query: 'query Q($email: String!, $companyId: Int) { userEmailCheck(email: $email, companyId: $companyId) { userType } }', write: false },
  { query: 'mutation M($userData: UserInputType!) { userCreate(userData: $userData) { user { id } } }', write: true },
  { query: 'mutation M($userData: UserUpdateInputType!) { userUpdate(userData: $userData) { user { id } } }', write: true },
  { query: 'mutation M($loginData: UserLoginType!) { login(loginData: $loginData) { result { token } } }', write: false },
];
const hostileVariables = fc.oneof(
  fc.dictionary(fc.constantFrom('companyId', 'first', 'offset', 'search', 'role', 'email', 'userData', 'loginData', 'extra'), hostileJsonValue, { maxKeys: 5 }),
  hostileJsonValue,
  fc.record({ companyId: hostileNumber, first: hostileNumber, offset: hostileNumber }, { requiredKeys: [] }),
);

function bearer(token: string | undefined, twoSpaces: boolean): Record<string, string> {
  if (token === undefined) return {};
  return { authorization: twoSpaces ? `Bearer  ${token}` : `Bearer ${token}` };
}

function gql(family: string, headers: Record<string, string>, body: unknown): FuzzRequest {
  return { family, method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) };
}

export function b2bGraphqlRequests(tokens: B2bTokens): fc.Arbitrary<FuzzRequest> {
  const anyAuth = fc.tuple(fc.constantFrom<string | undefined>(tokens.admin, tokens.senior, tokens.custom, tokens.rival, tokens.pending, tokens.b2c, undefined), fc.boolean()).map(([t, two]) => bearer(t, two));
  /** callers that may not change Great Buys users */
  const noWriteAuth = fc.tuple(fc.constantFrom<string | undefined>(tokens.senior, tokens.rival, tokens.pending, tokens.b2c, undefined), fc.boolean()).map(([t, two]) => bearer(t, two));
  return family<FuzzRequest>(
    [6, fc.tuple(readDocument, anyAuth).map(([query, h]) => gql('read-args', h, { query }))],
    [3, fc.tuple(refusedCreate, anyAuth).map(([query, h]) => gql('create-refused', h, { query }))],
    [3, fc.tuple(foreignWrite, anyAuth).map(([query, h]) => gql('write-foreign', h, { query }))],
    [1, fc.tuple(refusedUpdate, anyAuth).map(([query, h]) => gql('update-refused', h, { query }))],
    [2, fc.tuple(anyUserMutation, noWriteAuth).map(([query, h]) => gql('mutation-no-permission', h, { query }))],
    [2, fc.tuple(authMutation, anyAuth).map(([query, h]) => gql('auth-mutation', h, { query }))],
    [
      3,
      fc.tuple(fc.constantFrom(...variableDocuments), hostileVariables, anyAuth, noWriteAuth).map(([doc, variables, h, noWrite]) =>
        gql('variables', doc.write ? noWrite : h, { query: doc.query, variables }),
      ),
    ],
    [2, fc.tuple(hostileString, anyAuth).map(([s, h]) => gql('raw-document', h, { query: s }))],
    [1, fc.tuple(hostileString, anyAuth).map(([s, h]) => gql('injected-document', h, { query: `{ users(companyId: ${GREAT_BUYS}, search: "${s}") { totalCount } }` }))],
    [
      2,
      fc
        .tuple(
          fc.oneof(
            hostileJsonValue,
            fc.record({ query: hostileJsonValue, variables: hostileJsonValue, operationName: hostileJsonValue }, { requiredKeys: [] }),
            fc.constant([{ query: '{ userExtraFields { fieldName } }' }]),
            fc.record({ query: fc.constant('{ userExtraFields { fieldName } }'), operationName: hostileString }),
          ),
          anyAuth,
        )
        .map(([body, h]) => gql('body-shape', h, body)),
    ],
    [
      2,
      fc.tuple(fc.oneof(invalidJsonText, deepJson), oddContentType, anyAuth).map(([payload, type, h]) => ({
        family: 'not-json',
        method: 'POST' as const,
        url: '/graphql',
        headers: { ...h, ...(type !== undefined ? { 'content-type': type } : {}) },
        payload,
      })),
    ],
    [
      2,
      fc.tuple(badTokens, fc.boolean(), fc.oneof(readDocument, anyUserMutation)).map(([t, two, query]) => gql('bad-token', bearer(headerSafe(t), two), { query })),
    ],
    [
      1,
      fc.tuple(fc.constantFrom<FuzzRequest['method']>('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'), anyAuth, fc.option(hostileString)).map(([method, h, q]) => ({
        family: 'method',
        method,
        url: `/graphql${method === 'GET' && q ? `?query=${encodeSegment(q.slice(0, 200))}` : ''}`,
        headers: { accept: 'application/json', ...h },
        ...(method !== 'GET' && method !== 'OPTIONS' && q ? { payload: JSON.stringify({ query: q }), headers: { accept: 'application/json', 'content-type': 'application/json', ...h } } : {}),
      })),
    ],
  );
}

/** b2b-users-rest.md §14 #22, #32: `errors[].extensions.code` a number; HTTP 200/400/405/413/415/429; never a 5xx. */
export function checkB2bGraphqlResponse(request: FuzzRequest, response: LightMyRequestResponse): void {
  if (response.statusCode >= 500) fail(`5xx from B2B GraphQL: ${response.statusCode}`);
  if (request.method === 'OPTIONS' && response.statusCode === 204) return;
  if (![200, 400, 401, 403, 405, 413, 415, 429].includes(response.statusCode)) fail(`unexpected HTTP status ${response.statusCode}`);
  const body = jsonOf(response) as Record<string, unknown>;
  const leaked = secretsIn(response.body);
  if (leaked.length > 0) fail(`response contains ${leaked.map((s) => s.label).join(', ')}`);
  if ('errors' in body) {
    const errors = body.errors as { message?: unknown; extensions?: { code?: unknown } }[];
    if (!Array.isArray(errors) || errors.length === 0) fail('errors is not a non-empty array');
    for (const e of errors) {
      if (typeof e.message !== 'string' || e.message === '') fail('error without a message');
      if (typeof e.extensions?.code !== 'number') fail(`extensions.code is not a number: ${JSON.stringify(e.extensions)}`);
      if (e.extensions.code === 500) fail('a masked internal error (code 500) on client input');
      if (/\n\s+at |node_modules|\.ts:\d+|SQLITE_|syntax error at or near/.test(e.message)) fail('internal details in an error message');
    }
  } else {
    if (response.statusCode !== 200) fail(`HTTP ${response.statusCode} without errors[]`);
    if (!('data' in body)) fail('a 200 without data or errors');
  }
}
