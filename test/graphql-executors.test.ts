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

describe.each(dialects)('GraphQL answers are the same before and after a document is compiled, on %s', (dialect) => {
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
});
