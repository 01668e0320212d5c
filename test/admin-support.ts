import type { LightMyRequestResponse } from 'fastify';
import type { DialectName } from '../src/db/database.js';
import { createTestApp, type TestApp, type TestAppOptions } from './helpers/test-app.js';

/** Shared by test/admin-*.test.ts: an app with the emulator controls (and PostgreSQL forks), and request helpers. */
export const ACCOUNT = '61db983a-cd07-4d6b-8b59-a5ffe285ca6a';
export const ACCOUNT_TOKEN = 'demo-account-token-full';
import { STORE } from './helpers/b2b-graphql-client.js';

export { STORE };
export const COMPANY = 123456;
export const ADMIN_USER = { id: 123, bcId: 322, email: 'm.curie@greatbuys.com', password: 'Passw0rd!' };

/** An app with the emulator controls (and PostgreSQL forks): createTestApp's own options. */
export type AdminTestOptions = Omit<TestAppOptions, 'dialect'>;

export function createAdminTestApp(dialect: DialectName, options: AdminTestOptions = {}): Promise<TestApp> {
  return createTestApp({ ...options, dialect });
}

export type Inject = (opts: { method: string; url: string; payload?: unknown; headers?: Record<string, string> }) => Promise<LightMyRequestResponse>;

export function injector(t: TestApp): Inject {
  return (opts) =>
    t.app.inject({
      method: opts.method as 'GET',
      url: opts.url,
      ...(opts.payload !== undefined ? { payload: opts.payload as object } : {}),
      ...(opts.headers ? { headers: opts.headers } : {}),
    });
}

/** Account API: add a user by e-mail (world prefix: '' or '/f/{id}'). */
export function addAccountUser(inject: Inject, prefix: string, email: string): Promise<LightMyRequestResponse> {
  return inject({
    method: 'POST',
    url: `${prefix}/accounts/${ACCOUNT}/graphql`,
    headers: { 'x-auth-token': ACCOUNT_TOKEN, 'content-type': 'application/json' },
    payload: { query: `mutation { account { addUserToAccount(input: { email: "${email}" }) { account { id } } } }` },
  });
}

/** A B2B storefront token for the demo Company admin, through the API itself. */
export async function adminB2bToken(inject: Inject, prefix = ''): Promise<string> {
  const res = await inject({
    method: 'POST',
    url: `${prefix}/api/io/auth/customers`,
    payload: { storeHash: STORE, email: ADMIN_USER.email, password: ADMIN_USER.password, channelId: 1, name: 'admin-test' },
  });
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
  return (res.json() as { data: { token: string } }).data.token;
}

export function createCompanyUser(inject: Inject, prefix: string, token: string, email: string): Promise<LightMyRequestResponse> {
  return inject({
    method: 'POST',
    url: `${prefix}/api/v2/users`,
    headers: { authorization: `Bearer ${token}` },
    payload: { companyId: String(COMPANY), firstName: 'Test', lastName: 'User', email, phoneNumber: '', role: '2' },
  });
}

export async function exportState(inject: Inject, prefix = ''): Promise<unknown> {
  const res = await inject({ method: 'GET', url: `${prefix}/_roster/state?includeSecrets=true` });
  if (res.statusCode !== 200) throw new Error(`state: ${res.statusCode} ${res.body}`);
  return res.json();
}

export function emailsOf(state: unknown): string[] {
  const s = state as { accounts: { users: { email: string }[] }[]; b2b: { stores: { companies: { users: { email: string }[] }[] }[] } };
  return [
    ...s.accounts.flatMap((a) => a.users.map((u) => u.email)),
    ...s.b2b.stores.flatMap((st) => st.companies.flatMap((c) => c.users.map((u) => u.email))),
  ].sort();
}
