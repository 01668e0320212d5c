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
