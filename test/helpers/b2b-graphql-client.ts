import type { FastifyInstance } from 'fastify';
import { signHs256 } from '../../src/auth/b2b-jwt.js';
import { cloneDemo } from './test-app.js';

/**
 * Test helpers for the B2B storefront GraphQL (`POST /graphql`): the exact headers the Buyer Portal
 * and the Postman labs send (b2b-graphql/observed-requests.md), sign-in, and a fixture with every
 * kind of caller the permission matrix needs.
 */
export const STORE = 'f0qyczpkb2';
export const PASSWORD = 'Passw0rd!';
export const STOREFRONT_SECRET = 'demo-storefront-client-secret';

/** What fetch sends from the Buyer Portal (b3Fetch `graphqlB2B`); Authorization is added per call. */
export const portalHeaders = {
  'content-type': 'application/json',
  accept: '*/*',
  'accept-language': '*',
  'sec-fetch-mode': 'cors',
  'user-agent': 'node',
  'accept-encoding': 'gzip, deflate',
} as const;

/** The portal builds `Bearer  ${token}` (two spaces); signed out, fetch trims `"Bearer  "` to `Bearer`. */
export function portalAuthorization(token: string | undefined): string {
  return token ? `Bearer  ${token}` : 'Bearer';
}

/** What newman sends; login requests are `noauth` (no Authorization header at all). */
export const postmanHeaders = {
  accept: 'application/json',
  'content-type': 'application/json',
  'user-agent': 'PostmanRuntime/7.39.1',
  'cache-control': 'no-cache',
  'postman-token': '8c0f6d43-6a3c-4a0e-9d3a-2f5e3c1b7a90',
  'accept-encoding': 'gzip, deflate, br',
  connection: 'keep-alive',
} as const;

export interface GqlResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  raw: string;
  // any: response bodies are asserted field by field in the tests
  body: any;
}

export async function postGraphql(
  app: FastifyInstance,
  payload: { query: string; variables?: Record<string, unknown> },
  headers: Record<string, string>,
): Promise<GqlResponse> {
  const res = await app.inject({ method: 'POST', url: '/graphql', headers, payload: JSON.stringify(payload) });
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    body = undefined;
  }
  return { status: res.statusCode, headers: res.headers, raw: res.body, body };
}

/** A call the way the Buyer Portal makes it. */
export function portal(app: FastifyInstance, token: string | undefined, query: string, variables?: Record<string, unknown>) {
  return postGraphql(app, { query, ...(variables ? { variables } : {}) }, { ...portalHeaders, authorization: portalAuthorization(token) });
}

/** A call the way the Postman labs make it (`Bearer <token>`, one space; none for login). */
export function postman(app: FastifyInstance, token: string | undefined, query: string, variables?: Record<string, unknown>) {
  return postGraphql(app, { query, ...(variables ? { variables } : {}) }, { ...postmanHeaders, ...(token ? { authorization: `Bearer ${token}` } : {}) });
}

export const LOGIN = `mutation Login($loginData: UserLoginType!) { login(loginData: $loginData) { result { storefrontLoginToken token permissions { code permissionLevel } } } }`;

/** Signs in through GraphQL `login` (the portal's document) and returns the B2B token. */
export async function signIn(app: FastifyInstance, email: string, channelId = 1): Promise<string> {
  const res = await portal(app, undefined, LOGIN, { loginData: { email, password: PASSWORD, storeHash: STORE, channelId } });
  const token = res.body?.data?.login?.result?.token;
  if (res.status !== 200 || typeof token !== 'string') throw new Error(`login of ${email} failed: ${res.status} ${res.raw}`);
  return token;
}

/** A BigCommerce Current Customer JWT (b2b-users-rest.md §14 #3) for `authorization(authData: {bcToken})`. */
export function currentCustomerJwt(customerId: number, nowMs: number, options: { secret?: string; expiresInS?: number } = {}): string {
  const iat = Math.floor(nowMs / 1000);
  return signHs256(
    {
      customer: { id: customerId, email: 'ignored@example.com', group_id: '0' },
      store_hash: STORE,
      iss: 'bc/apps',
      operation: 'current_customer',
      application_id: 'dl7c39mdpul6hyc489yk0vzxl6jesyx',
      iat,
      exp: iat + (options.expiresInS ?? 900),
      jti: `jti-${customerId}-${iat}`,
    },
    options.secret ?? STOREFRONT_SECRET,
  );
}

/** Extra callers on top of the demo world (the demo's Great Buys has Admin 123, Senior 124, Junior 125, custom "User Manager" 126). */
export const people = {
  admin: { id: 123, bcId: 322, email: 'm.curie@greatbuys.com', companyId: 123456 },
  senior: { id: 124, bcId: 323, email: 'p.curie@greatbuys.com', companyId: 123456 },
  junior: { id: 125, bcId: 324, email: 'i.joliot@greatbuys.com', companyId: 123456 },
  userManager: { id: 126, bcId: 325, email: 'e.curie@greatbuys.com', companyId: 123456 },
  groupManager: { id: 128, bcId: 328, email: 'g.manager@greatbuys.com', companyId: 123456 },
  superAdmin: { id: 129, bcId: 329, email: 'super.admin@greatbuys.com', companyId: 123456 },
  otherChannel: { id: 130, bcId: 330, email: 'other.channel@greatbuys.com', companyId: 123456 },
  westAdmin: { id: 127, bcId: 326, email: 'west.admin@greatbuys.com', companyId: 123457 },
  rivalAdmin: { id: 200, bcId: 400, email: 'admin@rival.example', companyId: 223344 },
  pendingAdmin: { id: 300, bcId: 500, email: 'admin@pending.example', companyId: 334455 },
  b2cCustomer: { bcId: 321, email: 'walk.in@example.com' },
} as const;

export const GREAT_BUYS = 123456;
export const GREAT_BUYS_WEST = 123457;
export const RIVAL = 223344;
export const GROUP_MANAGER_ROLE = 6;

/**
 * The demo world plus: channel 2; custom role 6 "Group Manager" (the six user codes at level 3:
 * Company and subsidiaries); a Group Manager, a Super Admin (role 3) and a user of channel 2 in Great Buys.
 */
export function b2bGraphqlFixture(): Record<string, unknown> {
  const world = cloneDemo<{
    b2b: { stores: { channels: number[]; roles: unknown[]; companies: { id: number; users: unknown[] }[] }[] };
  }>();
  const store = world.b2b.stores[0];
  if (!store) throw new Error('demo fixture has no B2B store');
  store.channels = [1, 2];
  store.roles.push({
    id: GROUP_MANAGER_ROLE,
    name: 'Group Manager',
    permissions: ['get_users', 'get_user_detail', 'create_user', 'update_user', 'delete_user', 'get_roles'].map((code) => ({ code, permissionLevel: 3 })),
  });
  const greatBuys = store.companies.find((c) => c.id === GREAT_BUYS);
  if (!greatBuys) throw new Error('demo fixture lacks Great Buys');
  greatBuys.users.push(
    { id: 128, bcId: 328, email: people.groupManager.email, firstName: 'Gina', lastName: 'Manager', phoneNumber: '', companyRoleId: GROUP_MANAGER_ROLE, password: PASSWORD },
    { id: 129, bcId: 329, email: people.superAdmin.email, firstName: 'Sam', lastName: 'Super', phoneNumber: '', role: 3, password: PASSWORD },
    { id: 130, bcId: 330, email: people.otherChannel.email, firstName: 'Otto', lastName: 'Channel', phoneNumber: '', role: 2, channelId: 2, password: PASSWORD },
  );
  return world as unknown as Record<string, unknown>;
}
