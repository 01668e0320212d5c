import { Agent, request } from 'node:http';
import { counterQueries } from './consistency.js';

/**
 * Write load against a running Roster process for the crash and shutdown suites: several workers
 * create Account API members, B2B Company users (storefront REST) and Company users through the
 * B2B Management API with unique e-mails, and remember every write the server acknowledged (a 2xx
 * without GraphQL errors). Workers stop at the first connection error, which is how they notice
 * the server died.
 */
const ACCOUNT_URL = '/accounts/61db983a-cd07-4d6b-8b59-a5ffe285ca6a/graphql';
/** the demo's store-level token of f0qyczpkb2 (B2B Management API v3) */
export const MANAGEMENT_HEADERS = { 'x-auth-token': 'demo-store-token-b2b', 'x-store-hash': 'f0qyczpkb2' };

export interface Acknowledged {
  /** e-mails added through addUserToStore (account + store membership) */
  accountEmails: string[];
  /** e-mails created through POST /api/v2/users */
  b2bEmails: string[];
  /** e-mails created through POST /api/v3/io/users (Great Buys, channel 1) */
  managementEmails: string[];
  /** answers that were neither an acknowledgement nor a connection failure, e.g. "503 ..." */
  otherAnswers: string[];
}

export async function signInMarie(base: string): Promise<string> {
  const res = await fetch(`${base}/api/io/auth/customers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ storeHash: 'f0qyczpkb2', email: 'm.curie@greatbuys.com', password: 'Passw0rd!', channelId: 1, name: 'load' }),
  });
  const body = (await res.json()) as { data?: { token?: string } };
  if (res.status !== 200 || !body.data?.token) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(body)}`);
  return body.data.token;
}

/** One POST over a keep-alive agent of our own (so the test decides when its sockets close). */
function post(agent: Agent, url: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface WriteLoad {
  acknowledged: Acknowledged;
  /** resolves when every worker has stopped and the load's connections are closed */
  done: Promise<void>;
  /** ask the workers to stop after their current request */
  stop(): void;
  /** resolves once at least `n` writes were acknowledged */
  reached(n: number): Promise<void>;
}

export function startWriteLoad(base: string, b2bToken: string, options: { workers?: number; tag: string }): WriteLoad {
  const acknowledged: Acknowledged = { accountEmails: [], b2bEmails: [], managementEmails: [], otherAnswers: [] };
  let stopping = false;
  const waiters: { n: number; resolve: () => void }[] = [];
  const total = () => acknowledged.accountEmails.length + acknowledged.b2bEmails.length + acknowledged.managementEmails.length;
  const notify = () => {
    for (const w of [...waiters]) {
      if (total() >= w.n) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };

  const agent = new Agent({ keepAlive: true, maxSockets: options.workers ?? 8 });

  async function worker(index: number): Promise<void> {
    for (let i = 0; !stopping; i++) {
      const kind = (['acct', 'b2b', 'mgmt'] as const)[i % 3];
      const account = kind === 'acct';
      const email = `${options.tag}.${kind}.${index}.${i}@example.org`;
      try {
        if (kind === 'mgmt') {
          const res = await post(
            agent,
            `${base}/api/v3/io/users`,
            { ...MANAGEMENT_HEADERS, 'content-type': 'application/json' },
            JSON.stringify({ companyId: 123456, firstName: 'Load', lastName: `${index}-${i}`, email, phoneNumber: '', role: 2, channelIds: [1] }),
          );
          if (res.status === 200) acknowledged.managementEmails.push(email);
          else acknowledged.otherAnswers.push(`${res.status} ${res.text.slice(0, 200)}`);
        } else if (account) {
          const res = await post(
            agent,
            base + ACCOUNT_URL,
            { 'x-auth-token': 'demo-account-token-full', 'content-type': 'application/json' },
            JSON.stringify({ query: `mutation { user { addUserToStore(input: { user: { email: "${email}" }, storeId: "bc/account/store/f0qyczpkb2" }) { storeId } } }` }),
          );
          const text = res.text;
          if (res.status === 200 && !text.includes('"errors"')) acknowledged.accountEmails.push(email);
          else acknowledged.otherAnswers.push(`${res.status} ${text.slice(0, 200)}`);
        } else {
          const res = await post(
            agent,
            `${base}/api/v2/users`,
            { authorization: `Bearer ${b2bToken}`, 'content-type': 'application/json' },
            JSON.stringify({ companyId: '123456', firstName: 'Load', lastName: `${index}-${i}`, email, phoneNumber: '', role: '2' }),
          );
          const text = res.text;
          if (res.status === 200) acknowledged.b2bEmails.push(email);
          else acknowledged.otherAnswers.push(`${res.status} ${text.slice(0, 200)}`);
        }
        notify();
      } catch {
        // the connection failed: the server is gone (or going)
        return;
      }
    }
  }

  const done = Promise.all(Array.from({ length: options.workers ?? 8 }, (_, i) => worker(i))).then(() => {
    // a client that is done closes its keep-alive sockets (see the shutdown note in the report)
    agent.destroy();
    for (const w of waiters.splice(0)) w.resolve();
  });
  return {
    acknowledged,
    done,
    stop() {
      stopping = true;
    },
    reached(n) {
      return new Promise((resolve) => {
        waiters.push({ n, resolve });
        notify();
      });
    },
  };
}

/** SQL that must return no rows on a consistent database (both engines). */
export const consistencyQueries: Record<string, string> = {
  ...counterQueries,
  'a company user without its customer': `select cu.id from company_users cu where not exists (select 1 from customers c where c.id = cu.customer_id)`,
  'two users with one e-mail': `select email_key from users group by email_key having count(*) > 1`,
  'two company users with one e-mail in a store': `select store_hash, email_key from company_users group by store_hash, email_key having count(*) > 1`,
  'an id counter behind the ids it handed out': `select 'users' from id_counters where name = 'users' and next_value <= (select coalesce(max(id), 0) from users)
    union all select 'b2b' from id_counters where name = 'b2b' and next_value <= (select max(m) from (select coalesce(max(id), 0) as m from customers union all select coalesce(max(id), 0) from company_users) x)`,
  'a load customer without its company user (half a create)': `select c.email from customers c where (c.email like '%.b2b.%@example.org' or c.email like '%.mgmt.%@example.org') and not exists (select 1 from company_users u where u.customer_id = c.id)`,
  'a Management-created user without its channel set (half a create)': `select u.email from company_users u where u.email like '%.mgmt.%@example.org' and not exists (select 1 from company_user_channels ch where ch.user_id = u.id)`,
  'a load user without its memberships (half an add)': `select u.email from users u where u.email like '%.acct.%@example.org' and not exists (select 1 from store_users su where su.user_id = u.id)`,
};
