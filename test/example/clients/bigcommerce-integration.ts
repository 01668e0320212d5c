/**
 * Stand-in for YOUR code, written for production only: BigCommerce's hostnames are constants, with
 * no way to pass another base URL. A test reaches Roster anyway through MSW and roster/msw's
 * handlers (see recipe-msw-hardcoded-hosts.test.ts): nothing here knows about Roster.
 *
 * It does what a buyer-provisioning app does: create buyers with the Management API (retrying
 * BigCommerce's transient failures), sign a buyer in and read the Company through the storefront
 * REST API and B2B GraphQL, subscribe to user webhooks, and invite staff to the account.
 */
const B2B_API = 'https://api-b2b.bigcommerce.com';
const BC_API = 'https://api.bigcommerce.com';

export interface IntegrationConfig {
  storeHash: string;
  /** store-level API account token (Management API and webhooks) */
  storeToken: string;
  accountUuid: string;
  /** account-level API account token (Account API) */
  accountToken: string;
}

export interface Buyer {
  email: string;
  firstName: string;
  lastName: string;
  companyId: number;
  companyRoleId: number;
}

/** BigCommerce's transient answers: worth another try after a short wait */
const TRANSIENT = new Set([429, 502, 503, 504]);

export class BuyerProvisioning {
  constructor(
    private readonly config: IntegrationConfig,
    private readonly retries = 2,
  ) {}

  private async send(url: string, init: RequestInit): Promise<Response> {
    for (let attempt = 0; ; attempt += 1) {
      const response = await fetch(url, init);
      if (!TRANSIENT.has(response.status) || attempt >= this.retries) return response;
      await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt));
    }
  }

  private async management<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(`${B2B_API}/api/v3/io${path}`, {
      method,
      headers: { 'X-Auth-Token': this.config.storeToken, 'X-Store-Hash': this.config.storeHash, Accept: 'application/json', 'Content-Type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await response.json()) as { data: T };
    if (!response.ok) throw new Error(`Management ${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json.data;
  }

  /** Management API: create a buyer; answers its B2B user id */
  async provisionBuyer(buyer: Buyer): Promise<number> {
    const created = await this.management<{ userId: number }>('POST', '/users', { ...buyer, channelIds: [1] });
    return created.userId;
  }

  /** storefront REST: sign a Company user in (e-mail and password) */
  async signIn(email: string, password: string): Promise<string> {
    const response = await this.send(`${B2B_API}/api/io/auth/customers`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ storeHash: this.config.storeHash, email, password, channelId: 1, name: 'buyer-provisioning' }),
    });
    const json = (await response.json()) as { data: { token?: string; errMsg?: string } };
    if (!response.ok || !json.data.token) throw new Error(`sign-in: ${response.status} ${json.data.errMsg ?? ''}`);
    return json.data.token;
  }

  /** storefront REST: the e-mails of the signed-in user's Company, newest first */
  async companyEmailsViaRest(token: string): Promise<string[]> {
    const response = await this.send(`${B2B_API}/api/v2/users?limit=50`, { headers: { Authorization: `Bearer ${token}` } });
    const json = (await response.json()) as { data: { list: { email: string }[] } };
    return json.data.list.map((u) => u.email);
  }

  /** B2B GraphQL: the same list */
  async companyEmailsViaGraphql(token: string, companyId: number): Promise<string[]> {
    const response = await this.send(`${B2B_API}/graphql`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: 'query ($companyId: Int!) { users(companyId: $companyId, first: 50) { edges { node { email } } } }', variables: { companyId } }),
    });
    const json = (await response.json()) as { data: { users: { edges: { node: { email: string } }[] } } };
    return json.data.users.edges.map((e) => e.node.email);
  }

  /** webhooks registration: be told about every change to Company users */
  async subscribeToUserChanges(destination: string): Promise<number> {
    const response = await this.send(`${BC_API}/stores/${this.config.storeHash}/v3/hooks`, {
      method: 'POST',
      headers: { 'X-Auth-Token': this.config.storeToken, Accept: 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify({ scope: 'store/company/user/*', destination, is_active: true }),
    });
    const json = (await response.json()) as { data: { id: number } };
    if (!response.ok) throw new Error(`hooks: ${response.status} ${JSON.stringify(json)}`);
    return json.data.id;
  }

  /** Account API: invite a member of staff to the account (idempotent) */
  async inviteStaff(email: string): Promise<void> {
    const response = await this.send(`${BC_API}/accounts/${this.config.accountUuid}/graphql`, {
      method: 'POST',
      headers: { 'X-Auth-Token': this.config.accountToken, 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: 'mutation ($email: String!) { account { addUserToAccount(input: { email: $email }) { account { id } } } }', variables: { email } }),
    });
    const json = (await response.json()) as { errors?: { message: string }[] };
    if (!response.ok || json.errors) throw new Error(`Account API: ${response.status} ${json.errors?.[0]?.message ?? ''}`);
  }

  /** Account API: the e-mails of the account's users */
  async staffEmails(): Promise<string[]> {
    const response = await this.send(`${BC_API}/accounts/${this.config.accountUuid}/graphql`, {
      method: 'POST',
      headers: { 'X-Auth-Token': this.config.accountToken, 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: '{ account { users(first: 50) { edges { node { email } } } } }' }),
    });
    const json = (await response.json()) as { data: { account: { users: { edges: { node: { email: string } }[] } } } };
    return json.data.account.users.edges.map((e) => e.node.email);
  }
}
