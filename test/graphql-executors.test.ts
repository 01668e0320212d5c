import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, TOKEN_FULL } from './account-support.js';
import { b2bGraphqlFixture, people, postman, signIn } from './helpers/b2b-graphql-client.js';
import { dialects } from './helpers/dialects.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/**
 * A GraphQL operation runs through graphql-js's executor for its document's first executions and
 * through graphql-jit's compiled code after that (src/graphql/engine/graphql-engine.ts). Clients
 * must not be able to tell: each document below is sent with five variable sets in a row (the
 * first ones interpreted, the later ones compiled), and every answer must equal, byte for byte,
 * what a never-seen copy of the same document (one more space: a new text, so interpreted) answers
 * for the same variables. Errors included: variable coercion, resolver errors, nulls.
 */
const NOW = Date.UTC(2026, 10, 29, 12, 0, 0);

interface Case {
  name: string;
  query: string;
  variables: Record<string, unknown>[];
}

const b2bCases: Case[] = [
  {
    name: 'users pages with variables (the Buyer Portal document)',
    query:
      'query GetUsers($first: Int!, $offset: Int!, $q: String, $companyId: Int!, $companyRoleId: Decimal) { users ( first: $first search: $q offset: $offset companyId: $companyId companyRoleId: $companyRoleId ){ totalCount, pageInfo { hasNextPage hasPreviousPage } edges{ node{ id, firstName, lastName, email, phone, role, bcId, createdAt, extraFields { fieldName fieldValue }, companyRoleId, companyRoleName, companyInfo { companyId, companyName }, } } } }',
    variables: [
      { first: 2, offset: 0, companyId: 123456 },
      { first: 3, offset: 1, companyId: 123456, q: 'curie' },
      { first: 1, offset: 2, companyId: 123456 },
      { first: 5, offset: 0, companyId: 123456, companyRoleId: 5 },
      { first: 2, offset: 0, companyId: 123457 },
    ],
  },
  {
    name: 'bad variables and resolver errors',
    query: 'query One($companyId: Int!, $userId: Int!) { user(companyId: $companyId, userId: $userId) { id email role companyRoleName } }',
    variables: [
      { companyId: 123456, userId: people.senior.id },
      { companyId: 123456, userId: 999999 },
      { companyId: 'abc', userId: 1 },
      { companyId: 123456 },
      { companyId: 123457, userId: people.westAdmin.id },
    ],
  },
];

const accountCases: Case[] = [
  {
    name: 'account users pages and filters',
    query:
      'query Users($first: Int, $after: String, $filters: AccountUsersFiltersInput) { account { id users(first: $first, after: $after, filters: $filters) { edges { cursor node { id email firstName lastName status locale } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } collectionInfo { totalItems } } } }',
    variables: [{ first: 1 }, { first: 2 }, { first: 1, after: 'not a cursor' }, { first: 'x' }, { first: 5, filters: { emails: ['nobody@example.com'] } }],
  },
];

/**
 * Documents with literal arguments run as one shape with variables (graphql-engine.ts,
 * literal-hoisting.ts): each answer must equal, byte for byte, the ordinary path's answer to the
 * same text. The oracle: the same text with a comment after it that makes it longer than any
 * document the engine shapes (2,000 characters), which is therefore run as it is.
 */
const literalCases: { name: string; texts: string[] }[] = [
  {
    name: 'users pages written with literals (a new text per page)',
    texts: [0, 1, 2, 3, 4, 5].map(
      (i) => `query { users(companyId: 123456, first: ${i + 1}, offset: ${i % 3}${i % 2 ? ', search: "cu\\"rie"' : ''}) { totalCount edges { node { id email role companyRoleName } } } }`,
    ),
  },
  {
    name: 'literals the schema refuses (validation words them)',
    texts: ['query { users(companyId: 123456, first: "two") { totalCount } }', 'query { users(companyId: 1.5, first: 2) { totalCount } }', 'query { users(companyId: 99999999999, first: 2) { totalCount } }'],
  },
  {
    name: 'resolver errors point into the text as sent',
    texts: [1, 22, 333, 4444].map((n) => `query {\n  users(companyId: 123456, first: ${n % 50 || 1}) { totalCount }\n  user(companyId: 123456, userId: ${900000 + n}) {\n    id\n    email\n  }\n}`),
  },
  {
    name: 'another Company (a permission error) and a named operation with a variable beside literals',
    texts: [
      'query { users(companyId: 123457, first: 2) { totalCount } }',
      'query Page($o: Int) { users(companyId: 123456, first: 2, offset: $o) { totalCount edges { node { id } } } }',
    ],
  },
];

describe.each(dialects)('GraphQL answers are the same before and after a document is compiled or shaped, on %s', (dialect) => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await createTestApp({ dialect, fixture: b2bGraphqlFixture(), now: NOW });
    token = await signIn(t.app, people.admin.email);
  });
  afterAll(async () => t.close());

  for (const c of b2bCases) {
    it(`B2B GraphQL: ${c.name}`, async () => {
      for (const [i, variables] of c.variables.entries()) {
        const repeated = await postman(t.app, token, c.query, variables);
        const fresh = await postman(t.app, token, `${c.query}${' '.repeat(i + 1)}`, variables);
        expect(repeated.status, `run ${i + 1}`).toBe(fresh.status);
        expect(repeated.raw, `run ${i + 1}`).toBe(fresh.raw);
      }
    });
  }

  for (const c of accountCases) {
    it(`Account GraphQL: ${c.name}`, async () => {
      for (const [i, variables] of c.variables.entries()) {
        const repeated = await gql(t, c.query, variables, { token: TOKEN_FULL });
        const fresh = await gql(t, `${c.query}${' '.repeat(i + 1)}`, variables, { token: TOKEN_FULL });
        expect(repeated.status, `run ${i + 1}`).toBe(fresh.status);
        expect(JSON.stringify(repeated.body), `run ${i + 1}`).toBe(JSON.stringify(fresh.body));
      }
    });
  }

  // documents with literals (literalCases)
  const asSent = (text: string) => `${text}\n#${'x'.repeat(2_100)}`;

  for (const c of literalCases) {
    it(`B2B GraphQL: ${c.name}`, async () => {
      // twice over: the shape's first runs are interpreted, later ones compiled
      for (const round of [1, 2]) {
        for (const text of c.texts) {
          const variables = text.includes('$o') ? { o: round } : undefined;
          const shaped = await postman(t.app, token, text, variables);
          const plain = await postman(t.app, token, asSent(text), variables);
          expect(shaped.status, `${round}: ${text}`).toBe(plain.status);
          expect(shaped.raw, `${round}: ${text}`).toBe(plain.raw);
        }
      }
    });
  }

  it('Account GraphQL: page sizes written as literals', async () => {
    for (const first of [1, 2, 3, 1, 2]) {
      const text = `query { account { users(first: ${first}) { edges { node { id email } } pageInfo { hasNextPage } } } }`;
      const shaped = await gql(t, text, undefined, { token: TOKEN_FULL });
      const plain = await gql(t, asSent(text), undefined, { token: TOKEN_FULL });
      expect(shaped.status).toBe(plain.status);
      expect(JSON.stringify(shaped.body)).toBe(JSON.stringify(plain.body));
    }
  });
});
