import { demoTarget } from './dataset/generate.js';
import type { LoadSpec } from './lib/load-types.js';
import type { MixedContext } from './mixed-scenarios.js';

/**
 * The measured requests on the N-user datasets: one request each, repeated (the mixed traffic is in
 * mixed-scenarios.ts). Each scenario probes its API once (one real request, checked for the
 * right shape) before it is loaded: an API that does not answer yet is reported as "not available"
 * with the reason, never a crash. The probe's response body is what the bare baseline serves.
 */
export const ACCOUNT_UUID = demoTarget.accountUuid;
export const ACCOUNT_TOKEN = 'demo-account-token-full';
export const COMPANY_ID = demoTarget.companyId;
export const B2B_CREDENTIALS = {
  storeHash: 'f0qyczpkb2',
  email: 'm.curie@greatbuys.com',
  password: 'Passw0rd!',
  channelId: 1,
  name: 'bench',
};

export type ScenarioKey =
  | 'rest-list'
  | 'rest-deep-offset'
  | 'rest-get'
  | 'rest-create-delete'
  | 'account-users'
  | 'account-stores'
  | 'b2b-users'
  | 'healthz'
  | 'mixed-rest-reads'
  | 'mixed-rest-writes'
  | 'mixed-rest-writes-fresh'
  | 'mixed-rest-writes-hooks'
  | 'mixed-b2b-graphql'
  | 'mixed-account-graphql'
  | 'mixed-management-list'
  | 'management-bulk-create';

export interface ServerContext {
  baseUrl: string;
  /** generated users in the dataset */
  n: number;
  /** first B2B company-user id of the generated block */
  firstCompanyUserId: number;
  b2bToken: { token: string; via: string } | { error: string };
  /** connections of the load (the mixed scenarios give each its own write rows) */
  connections: number;
  /** share of writes in the mixed scenarios' pools (--write-share) */
  writeShare: number;
  /** --check-pools: send every pooled request once before the load, not only one of each kind */
  checkPools: boolean;
  /** the mixed dataset and its callers' tokens (mixed databases only) */
  mixed?: MixedContext;
  /** the webhook receiver's delivery URL (scenarios with `webhooks` only) */
  webhookDestination?: string;
}

/** A request ready to load: autocannon's spec without target, connections and duration. */
export type PreparedLoad = Omit<LoadSpec, 'baseUrl' | 'connections' | 'durationSeconds'>;

export type Prepared =
  | {
      ok: true;
      load: PreparedLoad;
      responseBody: string;
      note?: string;
      /** things one request handles (e.g. 10 users per bulk create): the report adds `<req/s × n> <name>/s` */
      perRequest?: { count: number; name: string };
    }
  | { ok: false; reason: string };

export interface Scenario {
  key: ScenarioKey;
  title: string;
  /** list scenarios run at every N; the others at the smallest N only */
  list: boolean;
  /** counted in the targets (healthz is informational) */
  informational?: boolean;
  /** 'mixed': runs on the mixed dataset (dataset/mixed.ts), once per database, not on the N-user datasets */
  dataset?: 'mixed';
  /**
   * writes that grow the data (creates): runs on its own copy of its dataset in its own server process,
   * so the rows of the other scenarios read the data they were built for
   */
  ownServer?: boolean;
  /**
   * hooks registered for the scenario's writes (webhooks.md): the runner starts a receiver
   * (servers/webhook-receiver.ts) before preparing, hands its URL in `ServerContext.webhookDestination`,
   * and after every Roster run counts deliveries, drains and checks that none is missing
   */
  webhooks?: { hooks: number };
  prepare(ctx: ServerContext): Promise<Prepared>;
}

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

interface Probe {
  status: number;
  text: string;
  json: unknown;
}

export async function probe(baseUrl: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Probe> {
  const response = await fetch(baseUrl + path, { method: init.method ?? 'GET', headers: init.headers ?? {}, ...(init.body !== undefined ? { body: init.body } : {}) });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

function brief(p: Probe): string {
  return `HTTP ${p.status} ${p.text.replace(/\s+/g, ' ').slice(0, 160)}`;
}

// probe bodies are untyped JSON, checked field by field below
// biome-ignore lint/suspicious/noExplicitAny: see above
type Json = Record<string, any>;

/**
 * A B2B storefront token for the demo admin: REST token endpoint first, the GraphQL `login`
 * mutation second (whichever API has landed).
 */
export async function obtainB2bToken(baseUrl: string): Promise<ServerContext['b2bToken']> {
  const reasons: string[] = [];
  try {
    const rest = await probe(baseUrl, '/api/io/auth/customers', { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(B2B_CREDENTIALS) });
    const token = (rest.json as Json | undefined)?.data?.token;
    if (rest.status === 200 && typeof token === 'string') return { token, via: 'POST /api/io/auth/customers' };
    reasons.push(`POST /api/io/auth/customers: ${brief(rest)}`);
  } catch (error) {
    reasons.push(`POST /api/io/auth/customers: ${(error as Error).message}`);
  }
  try {
    const { name: _name, ...loginData } = B2B_CREDENTIALS;
    const gql = await probe(baseUrl, '/graphql', {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({
        query: 'mutation Login($loginData: UserLoginType!) { login(loginData: $loginData) { result { token } } }',
        variables: { loginData },
      }),
    });
    const token = (gql.json as Json | undefined)?.data?.login?.result?.token;
    if (gql.status === 200 && typeof token === 'string') return { token, via: 'GraphQL login' };
    reasons.push(`GraphQL login: ${brief(gql)}`);
  } catch (error) {
    reasons.push(`GraphQL login: ${(error as Error).message}`);
  }
  return { error: `no B2B token (${reasons.join('; ')})` };
}

function bearer(ctx: ServerContext): Record<string, string> | string {
  if ('error' in ctx.b2bToken) return ctx.b2bToken.error;
  return { authorization: `Bearer ${ctx.b2bToken.token}` };
}

function restListScenario(key: 'rest-list' | 'rest-deep-offset'): Scenario {
  const deep = key === 'rest-deep-offset';
  return {
    key,
    title: deep ? 'REST GET /api/v2/users?limit=10&offset=90% of N' : 'REST GET /api/v2/users?limit=10',
    list: true,
    async prepare(ctx) {
      const auth = bearer(ctx);
      if (typeof auth === 'string') return { ok: false, reason: auth };
      const offset = deep ? Math.floor(ctx.n * 0.9) : 0;
      const path = deep ? `/api/v2/users?limit=10&offset=${offset}` : '/api/v2/users?limit=10';
      const p = await probe(ctx.baseUrl, path, { headers: auth });
      const body = p.json as Json | undefined;
      const list = body?.data?.list;
      const total = body?.data?.pagination?.totalCount;
      if (p.status !== 200 || body?.code !== 200 || !Array.isArray(list)) return { ok: false, reason: brief(p) };
      if (list.length !== 10) return { ok: false, reason: `expected 10 users on the page, got ${list.length}` };
      if (typeof total !== 'number' || total < ctx.n) return { ok: false, reason: `pagination.totalCount ${total} < N ${ctx.n}` };
      return { ok: true, load: { kind: 'simple', method: 'GET', path, headers: auth }, responseBody: p.text, note: deep ? `offset ${offset}` : undefined };
    },
  };
}

const restGet: Scenario = {
  key: 'rest-get',
  title: 'REST GET /api/v2/users/{id}',
  list: false,
  async prepare(ctx) {
    const auth = bearer(ctx);
    if (typeof auth === 'string') return { ok: false, reason: auth };
    const id = ctx.n > 0 ? ctx.firstCompanyUserId + Math.floor(ctx.n / 2) : 124;
    const path = `/api/v2/users/${id}`;
    const p = await probe(ctx.baseUrl, path, { headers: auth });
    const body = p.json as Json | undefined;
    if (p.status !== 200 || body?.code !== 200 || String(body?.data?.userId) !== String(id)) return { ok: false, reason: brief(p) };
    return { ok: true, load: { kind: 'simple', method: 'GET', path, headers: auth }, responseBody: p.text };
  },
};

const restCreateDelete: Scenario = {
  key: 'rest-create-delete',
  title: 'REST POST /api/v2/users then DELETE it (req/s counts both)',
  list: false,
  async prepare(ctx) {
    const auth = bearer(ctx);
    if (typeof auth === 'string') return { ok: false, reason: auth };
    const bodyTemplate = JSON.stringify({
      companyId: String(COMPANY_ID),
      firstName: 'Load',
      lastName: 'Test',
      email: 'bench.cd.{{n}}@bench.example',
      phoneNumber: '',
      role: '2',
    });
    const created = await probe(ctx.baseUrl, '/api/v2/users', {
      method: 'POST',
      headers: { ...auth, ...JSON_HEADERS },
      body: bodyTemplate.replace('{{n}}', `probe.${Date.now()}`),
    });
    const userId = (created.json as Json | undefined)?.data?.userId;
    if (created.status !== 200 || userId === undefined) return { ok: false, reason: `create: ${brief(created)}` };
    const deleted = await probe(ctx.baseUrl, `/api/v2/users/${userId}`, { method: 'DELETE', headers: auth });
    if (deleted.status !== 200) return { ok: false, reason: `delete: ${brief(deleted)}` };
    return {
      ok: true,
      load: {
        kind: 'create-delete',
        method: 'POST',
        path: '/api/v2/users',
        headers: { ...auth, ...JSON_HEADERS },
        bodyTemplate,
        deletePathPrefix: '/api/v2/users',
        deleteHeaders: auth,
      },
      responseBody: created.text,
    };
  },
};

function graphqlScenario(options: {
  key: ScenarioKey;
  title: string;
  list: boolean;
  path: string;
  headers: (ctx: ServerContext) => Record<string, string> | string;
  query: string;
  variables?: Record<string, unknown>;
  check: (data: Json, ctx: ServerContext) => string | undefined;
}): Scenario {
  return {
    key: options.key,
    title: options.title,
    list: options.list,
    async prepare(ctx) {
      const headers = options.headers(ctx);
      if (typeof headers === 'string') return { ok: false, reason: headers };
      const body = JSON.stringify({ query: options.query, ...(options.variables ? { variables: options.variables } : {}) });
      const all = { ...headers, ...JSON_HEADERS };
      const p = await probe(ctx.baseUrl, options.path, { method: 'POST', headers: all, body });
      const json = p.json as Json | undefined;
      if (p.status !== 200 || !json || json.errors !== undefined || !json.data) return { ok: false, reason: brief(p) };
      const problem = options.check(json.data as Json, ctx);
      if (problem) return { ok: false, reason: problem };
      return { ok: true, load: { kind: 'simple', method: 'POST', path: options.path, headers: all, body }, responseBody: p.text };
    },
  };
}

const accountHeaders = () => ({ 'x-auth-token': ACCOUNT_TOKEN });

export const ACCOUNT_USERS_QUERY =
  'query { account { users(first: 10) { edges { node { id email firstName lastName } } collectionInfo { totalItems } } } }';

/** The documented stores query (account-graphql.md §4.3): stores, each with its users and apps. */
export const ACCOUNT_STORES_QUERY = `query {
  account {
    stores {
      edges {
        node {
          id name storeHash
          users {
            collectionInfo { totalItems }
            edges { node { id email firstName lastName locale lastLoginAt permissions status updatedAt apps { edges { node { id name } } } } }
          }
          apps { edges { node { id name } } }
        }
      }
    }
  }
}`;

/** The Buyer Portal's GetUsers document and variables, as sent on the wire (observed-requests.md #6). */
export const B2B_USERS_QUERY =
  'query GetUsers($first: Int!, $offset: Int!, $q: String, $companyId: Int!, $companyRoleId: Decimal) { users ( first: $first search: $q offset: $offset companyId: $companyId companyRoleId: $companyRoleId ){ totalCount, edges{ node{ id, firstName, lastName, email, companyRoleName, companyInfo { companyId, }, } } } }';

export const scenarios: Scenario[] = [
  restListScenario('rest-list'),
  restListScenario('rest-deep-offset'),
  restGet,
  restCreateDelete,
  graphqlScenario({
    key: 'account-users',
    title: 'Account GraphQL account.users(first: 10) + totalItems',
    list: true,
    path: `/accounts/${ACCOUNT_UUID}/graphql`,
    headers: accountHeaders,
    query: ACCOUNT_USERS_QUERY,
    check(data, ctx) {
      const users = data.account?.users;
      if (!Array.isArray(users?.edges) || users.edges.length !== 10) return `expected 10 edges, got ${JSON.stringify(users)?.slice(0, 160)}`;
      if (typeof users.collectionInfo?.totalItems !== 'number' || users.collectionInfo.totalItems < ctx.n) {
        return `totalItems ${users.collectionInfo?.totalItems} < N ${ctx.n}`;
      }
      return undefined;
    },
  }),
  graphqlScenario({
    key: 'account-stores',
    title: 'Account GraphQL stores with users and apps (§4.3)',
    list: false,
    path: `/accounts/${ACCOUNT_UUID}/graphql`,
    headers: accountHeaders,
    query: ACCOUNT_STORES_QUERY,
    check(data) {
      const edges = data.account?.stores?.edges;
      if (!Array.isArray(edges) || edges.length < 1) return `expected stores, got ${JSON.stringify(data).slice(0, 160)}`;
      return undefined;
    },
  }),
  graphqlScenario({
    key: 'b2b-users',
    title: 'B2B GraphQL users(companyId, first: 12, offset: 0)',
    list: true,
    path: '/graphql',
    headers: (ctx) => bearer(ctx),
    query: B2B_USERS_QUERY,
    variables: { first: 12, offset: 0, search: '', companyId: COMPANY_ID, q: '', createdBy: '', email: '' },
    check(data, ctx) {
      const users = data.users;
      if (!Array.isArray(users?.edges) || users.edges.length !== 12) return `expected 12 edges, got ${JSON.stringify(users)?.slice(0, 160)}`;
      if (typeof users.totalCount !== 'number' || users.totalCount < ctx.n) return `totalCount ${users.totalCount} < N ${ctx.n}`;
      return undefined;
    },
  }),
  {
    key: 'healthz',
    title: 'GET /healthz (the app floor: Fastify + hooks, no data)',
    list: false,
    informational: true,
    async prepare(ctx) {
      const p = await probe(ctx.baseUrl, '/healthz');
      if (p.status !== 200) return { ok: false, reason: brief(p) };
      return { ok: true, load: { kind: 'simple', method: 'GET', path: '/healthz', headers: {} }, responseBody: p.text };
    },
  },
];
