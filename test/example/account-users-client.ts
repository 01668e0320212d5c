/**
 * Stand-in for YOUR code: a small client of BigCommerce's Account API (users) with a retry on
 * transient failures. The example test next to it runs it against Roster instead of BigCommerce;
 * only the base URL and the token differ.
 */
export class AccountUsersClient {
  constructor(
    private readonly endpoint: string,
    private readonly token: string,
    private readonly retries = 2,
  ) {}

  private async graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      const response = await fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-auth-token': this.token },
        body: JSON.stringify({ query, variables }),
      });
      const transient = response.status === 429 || response.status >= 500;
      if (transient && attempt < this.retries) continue;
      const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
      if (!response.ok || body.errors) throw new Error(`Account API: ${response.status} ${body.errors?.[0]?.message ?? ''}`);
      return body.data as T;
    }
  }

  async listEmails(): Promise<string[]> {
    const data = await this.graphql<{ account: { users: { edges: { node: { email: string } }[] } } }>(
      '{ account { users(first: 50) { edges { node { email } } } } }',
    );
    return data.account.users.edges.map((e) => e.node.email);
  }

  async invite(email: string): Promise<void> {
    await this.graphql('mutation ($email: String!) { account { addUserToAccount(input: { email: $email }) { account { id } } } }', { email });
  }
}
