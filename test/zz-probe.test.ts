import pg from 'pg';
import { it } from 'vitest';
import { createTestApp } from './helpers/test-app.js';
import { auth, demo, tokenFor } from './b2b-rest-helpers.js';
import { postman } from './helpers/b2b-graphql-client.js';

it('probe', async () => {
  const t = await createTestApp({ dialect: 'postgres', now: Date.now(), sqliteFile: true });
  const token = tokenFor(t, demo.admin);
  const orig = pg.Client.prototype.query;
  let log: string[] | null = null;
  (pg.Client.prototype as any).query = function (this: unknown, text: any, values: any, cb: any) {
    const s = typeof text === 'string' ? text : text?.text;
    if (log) log.push(String(s).replace(/\s+/g, ' ').slice(0, 140));
    return (orig as any).call(this, text, values, cb);
  };
  const run = async (label: string, f: () => Promise<unknown>) => {
    await f();
    log = [];
    await f();
    console.log(`\n== ${label}: ${log.length}\n${log.join('\n')}`);
    log = null;
  };
  const put = () => t.app.inject({ method: 'PUT', url: `/api/v2/users/${demo.senior.id}`, headers: { ...auth(token), 'content-type': 'application/json' }, payload: { firstName: `x${Math.random()}`, lastName: 'y', email: demo.senior.email, phoneNumber: '', role: '1' } });
  await run('REST PUT', put);
  await run('REST GET list', () => t.app.inject({ method: 'GET', url: '/api/v2/users?limit=10&offset=0', headers: auth(token) }));
  await run('REST GET list after put', async () => { await put(); log = []; await t.app.inject({ method: 'GET', url: '/api/v2/users?limit=10&offset=0', headers: auth(token) }); });
  await run('GQL userUpdate', () => postman(t.app, token, `mutation { userUpdate(userId: ${demo.senior.id}, userData: { companyId: ${demo.admin.companyId}, firstName: "q${Math.random()}" }) { user { id } } }`));
  await t.close();
}, 60000);
