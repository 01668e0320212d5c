import { describe, expect, it } from 'vitest';
import { startRoster } from '../src/testing.js';

/** --deterministic: two runs of the same test give byte-identical responses (ids, timestamps, tokens). */
async function run(): Promise<string[]> {
  const roster = await startRoster({ deterministic: true });
  try {
    const out: string[] = [];
    const record = async (response: Response) => {
      out.push(`${response.status} ${response.headers.get('x-request-id')} ${await response.text()}`);
    };
    const token = await roster.b2bToken({ email: 'm.curie@greatbuys.com' });
    out.push(token);
    const b2b = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    await record(
      await fetch(`${roster.b2bUrl}/api/v2/users`, {
        method: 'POST',
        headers: b2b,
        body: JSON.stringify({ companyId: '123456', firstName: 'Det', lastName: 'Erministic', email: 'det@greatbuys.com', phoneNumber: '', role: '2' }),
      }),
    );
    await record(await fetch(`${roster.b2bUrl}/api/v2/users?limit=3`, { headers: b2b }));
    const account = { 'x-auth-token': roster.tokens['demo-full'] as string, 'content-type': 'application/json' };
    const graphql = (query: string) => fetch(roster.accountGraphqlUrl('61db983a-cd07-4d6b-8b59-a5ffe285ca6a'), { method: 'POST', headers: account, body: JSON.stringify({ query }) });
    await record(await graphql('mutation { account { addUserToAccount(input: { email: "det@example.com" }) { account { id } } } }'));
    await record(await graphql('{ account { users(first: 50) { edges { cursor node { id email status } } } } }'));
    const fork = await roster.fork();
    out.push(fork.url.replace(roster.url, ''));
    await record(
      await fetch(`${fork.b2bGraphqlUrl}`, {
        method: 'POST',
        headers: b2b,
        body: JSON.stringify({ query: 'mutation { userCreate(userData: { companyId: 123456, firstName: "In", lastName: "Fork", email: "in.fork@greatbuys.com", phone: "", companyRoleId: 2 }) { user { id bcId email } } }' }),
      }),
    );
    out.push(JSON.stringify((await roster.events()).map((e) => ({ ...e, at: e.at }))));
    return out;
  } finally {
    await roster.close();
  }
}

describe('deterministic mode', () => {
  it('gives byte-identical responses on two runs of the same requests', async () => {
    const first = await run();
    const second = await run();
    expect(second).toEqual(first);
    expect(first.length).toBe(8);
    expect(first[6]).toMatch(/^200 .*"in.fork@greatbuys.com"/);
    expect(first[5]).toBe("/f/f1");
    expect(first[1]).toMatch(/^200 /);
  });
});

describe('deterministic mode and traffic that issues nothing', () => {
  /** Signs in twice (REST token endpoint, GraphQL login); with `probes`, health checks and admin reads in between. */
  async function tokens(probes: boolean): Promise<string[]> {
    const roster = await startRoster({ deterministic: true });
    try {
      const probe = async () => {
        if (!probes) return;
        for (let i = 0; i < 3; i++) expect((await fetch(`${roster.url}/healthz`)).status).toBe(200);
        expect((await fetch(`${roster.url}/_roster/state`)).status).toBe(200);
        expect((await fetch(`${roster.url}/api/v2/users`)).status).toBe(401);
      };
      await probe();
      const rest = await roster.b2bToken({ email: 'm.curie@greatbuys.com' });
      await probe();
      const login = await fetch(`${roster.b2bUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'mutation { login(loginData: {storeHash: "f0qyczpkb2", email: "p.curie@greatbuys.com", password: "Passw0rd!", channelId: 1}) { result { token } } }' }),
      });
      const graphql = ((await login.json()) as { data: { login: { result: { token: string } } } }).data.login.result.token;
      return [rest, graphql];
    } finally {
      await roster.close();
    }
  }

  it('issues the same tokens (jti included) whether or not health checks and admin calls came in between', async () => {
    const quiet = await tokens(false);
    const probed = await tokens(true);
    expect(probed).toEqual(quiet);
    const jtis = quiet.map((t) => JSON.parse(Buffer.from(t.split('.')[1] as string, 'base64url').toString()).jti);
    expect(new Set(jtis).size).toBe(2);
  });
});
