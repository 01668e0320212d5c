import { FIRST_NAMES, LAST_NAMES, type MixedCompany, type MixedCompanyUser, type MixedDataset } from './dataset/mixed.js';
import type { PoolRequest, RequestPool } from './lib/load-types.js';
import { pick, type Random, randomInt, seededRandom } from './lib/random.js';
import { ACCOUNT_TOKEN, B2B_USERS_QUERY, type Prepared, type PreparedLoad, probe, type Scenario, type ServerContext } from './scenarios.js';

/**
 * The `mixed-*` scenarios (bench/README.md "Mixed traffic"): load shaped like a real integration
 * instead of one repeated URL. Each scenario prebuilds a pool of ~4,000 requests from a seeded PRNG
 * (many callers, pages, searches, single users and a share of writes), probes each kind of request
 * once, and hands the pool to the load generator, whose connections draw from it at random.
 *
 * Writes never delete anything a read refers to: B2B writes update names or phone numbers (e-mail
 * and role unchanged); Account writes add a user that is not a store member to the store and remove
 * the same user again, in order, on one connection (the pool's write cycles), so the membership
 * count stays between where it started and that plus the number of connections.
 */

export const MIXED_POOL_SIZE = 4000;
const MIXED_SEED = 0x16_2026;

/** What the runner hands the mixed scenarios: the dataset and one B2B token per company Admin. */
export type MixedContext = { dataset: MixedDataset; tokens: string[] } | { error: string };

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

type Probe = Awaited<ReturnType<typeof probe>>;

// probe bodies are untyped JSON, checked field by field below
// biome-ignore lint/suspicious/noExplicitAny: see above
type Json = Record<string, any>;

function brief(p: Probe): string {
  return `HTTP ${p.status} ${p.text.replace(/\s+/g, ' ').slice(0, 200)}`;
}

/** A request of the pool as the prepare step sees it: its headers in full, how to check its answer. */
interface Draft {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** `body` is a template: each send replaces every `{{n}}` with a value of its own (new e-mails for creates) */
  unique?: boolean;
  check(p: Probe): string | undefined;
}

let probeSends = 0;

/** The body a probe sends: a template gets values no other probe or load has used. */
function probeBody(draft: Draft): string | undefined {
  if (!draft.unique || draft.body === undefined) return draft.body;
  probeSends += 1;
  return draft.body.replaceAll('{{n}}', `probe${Date.now().toString(36)}.${probeSends}`);
}

/** One kind of request: its share of the pool and how to make one. */
interface Kind {
  name: string;
  share: number;
  make(random: Random): Draft;
}

class PoolBuilder {
  readonly headerSets: Record<string, string>[] = [];
  private readonly headerIndex = new Map<string, number>();

  toPoolRequest(draft: Draft): PoolRequest {
    const key = JSON.stringify(draft.headers);
    let index = this.headerIndex.get(key);
    if (index === undefined) {
      index = this.headerSets.length;
      this.headerSets.push(draft.headers);
      this.headerIndex.set(key, index);
    }
    return { method: draft.method, path: draft.path, headers: index, ...(draft.body !== undefined ? { body: draft.body } : {}), ...(draft.unique ? { unique: true } : {}) };
  }
}

interface BuiltPool {
  pool: RequestPool;
  /** every request of the pool with its check, in pool order (cycle steps under `cycleDrafts`) */
  drafts: (Draft | undefined)[];
  cycleDrafts: Draft[][];
  /** the first request of each kind: probed before the load */
  firstOfKind: Map<string, Draft>;
  /** requests per kind (a draft's `kind`: finer than the shares, e.g. list vs search) */
  counts: Map<string, number>;
}

/**
 * `size` entries split by share (rounded, the largest kind takes the remainder), each made by the
 * seeded PRNG; with `cycles`, a `cycleShare` of the entries are `{ cycle: true }` (the next step of the
 * connection's own write cycle).
 */
function buildPool(kinds: Kind[], size: number, options: { cycles?: Draft[][]; cycleShare?: number; cycleLabel?: string; graphql: boolean }): BuiltPool {
  const random = seededRandom(MIXED_SEED);
  const builder = new PoolBuilder();
  const shares = new Map<string, number>();
  const counts = new Map<string, number>();
  const cycleCount = options.cycles && options.cycleShare ? Math.round(size * options.cycleShare) : 0;
  const readSize = size - cycleCount;
  const total = kinds.reduce((s, k) => s + k.share, 0);
  for (const kind of kinds) shares.set(kind.name, Math.round((readSize * kind.share) / total));
  const largest = kinds.reduce((a, b) => (b.share > a.share ? b : a));
  shares.set(largest.name, readSize - [...shares.entries()].reduce((s, [name, n]) => s + (name === largest.name ? 0 : n), 0));
  const drafts: (Draft | undefined)[] = [];
  const entries: RequestPool['entries'] = [];
  const firstOfKind = new Map<string, Draft>();
  for (const kind of kinds) {
    for (let i = 0; i < (shares.get(kind.name) ?? 0); i++) {
      const draft = kind.make(random);
      if (!firstOfKind.has(draft.kind)) firstOfKind.set(draft.kind, draft);
      counts.set(draft.kind, (counts.get(draft.kind) ?? 0) + 1);
      drafts.push(draft);
      entries.push(builder.toPoolRequest(draft));
    }
  }
  const cycleDrafts = options.cycles ?? [];
  for (let i = 0; i < cycleCount; i++) {
    drafts.push(undefined);
    entries.push({ cycle: true });
  }
  if (cycleCount > 0) counts.set(options.cycleLabel ?? 'write cycle step', cycleCount);
  const cycles = cycleCount > 0 ? cycleDrafts.map((cycle) => cycle.map((d) => builder.toPoolRequest(d))) : undefined;
  return {
    pool: { seed: MIXED_SEED, headerSets: builder.headerSets, entries, ...(cycles ? { cycles } : {}), ...(options.graphql ? { graphqlErrorsFail: true } : {}) },
    drafts,
    cycleDrafts: cycleCount > 0 ? cycleDrafts : [],
    firstOfKind,
    counts,
  };
}

function sendDraft(ctx: ServerContext, draft: Draft): Promise<Probe> {
  const body = probeBody(draft);
  return probe(ctx.baseUrl, draft.path, { method: draft.method, headers: draft.headers, ...(body !== undefined ? { body } : {}) });
}

async function send(ctx: ServerContext, draft: Draft): Promise<string | undefined> {
  const problem = draft.check(await sendDraft(ctx, draft));
  return problem === undefined ? undefined : `${draft.kind} (${draft.method} ${draft.path}${draft.body ? ` ${draft.body.slice(0, 160)}` : ''}): ${problem}`;
}

/**
 * Probes each kind once (and the first add/remove pair of a write cycle, which leaves the data as it was); with
 * `--check-pools`, every request of the pool and every step of every cycle.
 */
async function verifyPool(ctx: ServerContext, built: BuiltPool): Promise<string | undefined> {
  for (const draft of built.firstOfKind.values()) {
    const problem = await send(ctx, draft);
    if (problem) return problem;
  }
  const cycles = ctx.checkPools ? built.cycleDrafts : built.cycleDrafts.slice(0, 1).map((c) => c.slice(0, 2));
  for (const cycle of cycles) {
    for (const draft of cycle) {
      const problem = await send(ctx, draft);
      if (problem) return problem;
    }
  }
  if (!ctx.checkPools) return undefined;
  const all = built.drafts.filter((d): d is Draft => d !== undefined);
  let next = 0;
  const problems: string[] = [];
  // a few at a time, like a small client
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < all.length && problems.length === 0) {
        const draft = all[next++] as Draft;
        const problem = await send(ctx, draft);
        if (problem) problems.push(problem);
      }
    }),
  );
  return problems[0];
}

function note(ctx: ServerContext, built: BuiltPool): string {
  const kinds = [...built.counts.entries()].map(([name, n]) => `${name} ${((100 * n) / built.pool.entries.length).toFixed(0)}%`).join(', ');
  return `c=${ctx.connections}; ${built.pool.entries.length.toLocaleString('en-US')} pooled: ${kinds}${ctx.checkPools ? '; each checked before the load' : ''}`;
}

/**
 * Turns a built pool into the scenario's load, after probing it; the baseline serves `baseline`'s answer
 * (and is sent `baseline`'s request: a template's placeholders read `baseline`).
 */
async function preparePool(ctx: ServerContext, built: BuiltPool, baseline: Draft, extra: { note?: string; perRequest?: { count: number; name: string } } = {}): Promise<Prepared> {
  const problem = await verifyPool(ctx, built);
  if (problem) return { ok: false, reason: problem };
  const p = await sendDraft(ctx, baseline);
  const bad = baseline.check(p);
  if (bad) return { ok: false, reason: `baseline page: ${bad}` };
  const body = baseline.unique ? baseline.body?.replaceAll('{{n}}', 'baseline') : baseline.body;
  const load: PreparedLoad = {
    kind: 'pool',
    method: baseline.method,
    path: baseline.path,
    headers: baseline.headers,
    ...(body !== undefined ? { body } : {}),
    pool: built.pool,
  };
  return { ok: true, load, responseBody: p.text, note: `${note(ctx, built)}${extra.note ? `; ${extra.note}` : ''}`, ...(extra.perRequest ? { perRequest: extra.perRequest } : {}) };
}

type Mixed = { dataset: MixedDataset; tokens: string[] };

function mixedOf(ctx: ServerContext): Mixed | string {
  if (!ctx.mixed) return 'no mixed dataset on this server';
  if ('error' in ctx.mixed) return ctx.mixed.error;
  return ctx.mixed;
}

/** A scenario of the mixed dataset: "not available" (with the reason) when the server has none. */
function mixedScenario(
  key: Scenario['key'],
  title: string,
  prepare: (ctx: ServerContext, mixed: Mixed) => Promise<Prepared>,
  options: { ownServer?: boolean; webhooks?: { hooks: number } } = {},
): Scenario {
  return {
    key,
    title,
    list: false,
    dataset: 'mixed',
    ...(options.ownServer ? { ownServer: true } : {}),
    ...(options.webhooks ? { webhooks: options.webhooks } : {}),
    async prepare(ctx) {
      const mixed = mixedOf(ctx);
      if (typeof mixed === 'string') return { ok: false, reason: mixed };
      return prepare(ctx, mixed);
    },
  };
}

/** Signs in every company Admin of the mixed dataset (POST /api/io/auth/customers). */
export async function signInMixedAdmins(baseUrl: string, dataset: MixedDataset): Promise<MixedContext> {
  const tokens: string[] = [];
  for (const company of dataset.companies) {
    const admin = company.users[0] as MixedCompanyUser;
    const body = JSON.stringify({ storeHash: dataset.storeHash, email: admin.email, password: dataset.password, channelId: dataset.channelId, name: 'bench mixed' });
    const p = await probe(baseUrl, '/api/io/auth/customers', { method: 'POST', headers: JSON_HEADERS, body });
    const token = (p.json as Json | undefined)?.data?.token;
    if (p.status !== 200 || typeof token !== 'string') return { error: `sign-in of ${admin.email} (company ${company.id}): ${brief(p)}` };
    tokens.push(token);
  }
  return { dataset, tokens };
}

// ------------------------------------------------------------------------------- B2B

interface Caller {
  company: MixedCompany;
  token: string;
}

function callersOf(mixed: { dataset: MixedDataset; tokens: string[] }): Caller[] {
  return mixed.dataset.companies.map((company, i) => ({ company, token: mixed.tokens[i] as string }));
}

/** 10, 12 or 25 users from offset 0..230 (a company holds 250). */
function pageOf(random: Random, sizes: number[]): { limit: number; offset: number } {
  return { limit: pick(random, sizes), offset: randomInt(random, 0, 230) };
}

/** What a write sets: a new phone number or a new first name (names and e-mail stay searchable). */
function changeOf(random: Random, user: MixedCompanyUser): { firstName: string; phone: string } {
  if (random() < 0.5) return { firstName: user.firstName, phone: `555${String(randomInt(random, 0, 9_999_999)).padStart(7, '0')}` };
  return { firstName: pick(random, FIRST_NAMES), phone: user.phone };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function restKinds(callers: Caller[], searchTerms: string[]): Kind[] {
  const list: Kind = {
    name: 'GET /users list',
    share: 0.6,
    make(random) {
      const caller = pick(random, callers);
      const { limit, offset } = pageOf(random, [10, 25]);
      const q = random() < 0.25 ? pick(random, searchTerms) : undefined;
      const path = `/api/v2/users?limit=${limit}&offset=${offset}${q !== undefined ? `&q=${encodeURIComponent(q)}` : ''}`;
      const total = caller.company.users.length;
      return {
        kind: q !== undefined ? 'GET /users search' : 'GET /users list',
        method: 'GET',
        path,
        headers: bearer(caller.token),
        check(p) {
          const body = p.json as Json | undefined;
          const items = body?.data?.list;
          if (p.status !== 200 || body?.code !== 200 || !Array.isArray(items)) return brief(p);
          const count = body?.data?.pagination?.totalCount;
          if (typeof count !== 'number') return `no pagination.totalCount: ${brief(p)}`;
          if (q === undefined && (count !== total || items.length !== Math.min(limit, total - offset))) {
            return `expected ${Math.min(limit, total - offset)} of ${total} users, got ${items.length} of ${count}`;
          }
          return undefined;
        },
      };
    },
  };
  const get: Kind = {
    name: 'GET /users/{id}',
    share: 0.4,
    make(random) {
      const caller = pick(random, callers);
      const user = pick(random, caller.company.users);
      return {
        kind: 'GET /users/{id}',
        method: 'GET',
        path: `/api/v2/users/${user.id}`,
        headers: bearer(caller.token),
        check(p) {
          const body = p.json as Json | undefined;
          if (p.status !== 200 || body?.code !== 200 || String(body?.data?.userId) !== String(user.id)) return brief(p);
          return undefined;
        },
      };
    },
  };
  return [list, get];
}

/**
 * `fresh`: every send sets a phone number no earlier request set (a template filled per request), so every
 * successful PUT changes the user and fires exactly one `store/company/user/updated` (webhooks.md §2: a PUT
 * that changes nothing fires nothing; without `fresh`, a pooled PUT drawn again repeats what it already set).
 */
function restPutKind(callers: Caller[], share: number, fresh = false): Kind {
  return {
    name: 'PUT /users/{id}',
    share,
    make(random) {
      const caller = pick(random, callers);
      // a Buyer of the caller's Company (never the Admin the token belongs to)
      const user = caller.company.users[randomInt(random, 1, caller.company.users.length - 1)] as MixedCompanyUser;
      const change = changeOf(random, user);
      return {
        kind: 'PUT /users/{id}',
        method: 'PUT',
        path: `/api/v2/users/${user.id}`,
        headers: { ...bearer(caller.token), ...JSON_HEADERS },
        body: JSON.stringify({ firstName: change.firstName, lastName: user.lastName, email: user.email, phoneNumber: fresh ? '555-{{n}}' : change.phone, role: String(user.role) }),
        ...(fresh ? { unique: true } : {}),
        check(p) {
          const body = p.json as Json | undefined;
          if (p.status !== 200 || body?.code !== 200) return brief(p);
          return undefined;
        },
      };
    },
  };
}

type RestKey = 'mixed-rest-reads' | 'mixed-rest-writes' | 'mixed-rest-writes-fresh' | 'mixed-rest-writes-hooks';

/** The webhooks of `mixed-rest-writes-hooks`: one per modify API account of the store (webhooks.md §4.1), this scope each. */
const HOOK_SCOPE = 'store/company/user/*';
const HOOK_ACCOUNTS = 2;

/**
 * Registers one `HOOK_SCOPE` hook per modify API account (`POST /stores/{hash}/v3/hooks`, as an integration does) to
 * the bench's receiver; the answer checked (200, the hook's id, scope and destination, active).
 */
async function registerHooks(ctx: ServerContext, dataset: MixedDataset): Promise<string | undefined> {
  if (!ctx.webhookDestination) return 'no webhook receiver on this server';
  const accounts = dataset.managementAccounts.filter((a) => a.access === 'modify').slice(0, HOOK_ACCOUNTS);
  if (accounts.length < HOOK_ACCOUNTS) return `the mixed dataset has ${accounts.length} modify API accounts, ${HOOK_ACCOUNTS} needed`;
  for (const account of accounts) {
    const p = await probe(ctx.baseUrl, `/stores/${dataset.storeHash}/v3/hooks`, {
      method: 'POST',
      headers: { 'x-auth-token': account.token, ...JSON_HEADERS },
      body: JSON.stringify({ scope: HOOK_SCOPE, destination: ctx.webhookDestination, is_active: true }),
    });
    const hook = (p.json as Json | undefined)?.data;
    if (p.status !== 200 || typeof hook?.id !== 'number' || hook.scope !== HOOK_SCOPE || hook.destination !== ctx.webhookDestination || hook.is_active !== true) {
      return `POST /stores/${dataset.storeHash}/v3/hooks (${account.name}): ${brief(p)}`;
    }
  }
  return undefined;
}

function restScenario(key: RestKey): Scenario {
  const writes = key !== 'mixed-rest-reads';
  const hooks = key === 'mixed-rest-writes-hooks';
  const fresh = key === 'mixed-rest-writes-fresh' || hooks;
  const title = !writes
    ? 'Mixed: B2B REST users list / search / get (40 callers)'
    : hooks
      ? `Mixed: B2B REST users reads + PUT /users/{id}, every PUT a change, ${HOOK_ACCOUNTS} hooks on ${HOOK_SCOPE} (40 callers)`
      : fresh
        ? 'Mixed: B2B REST users reads + PUT /users/{id}, every PUT a change (40 callers)'
        : 'Mixed: B2B REST users reads + PUT /users/{id} (40 callers)';
  return mixedScenario(
    key,
    title,
    async (ctx, mixed) => {
      if (hooks) {
        const problem = await registerHooks(ctx, mixed.dataset);
        if (problem) return { ok: false, reason: problem };
      }
      const callers = callersOf(mixed);
      const share = writes ? ctx.writeShare : 0;
      const kinds = restKinds(callers, mixed.dataset.searchTerms).map((k) => ({ ...k, share: k.share * (1 - share) }));
      if (share > 0) kinds.push(restPutKind(callers, share, fresh));
      const built = buildPool(kinds, MIXED_POOL_SIZE, { graphql: false });
      if (fresh) built.pool.countWrites = true;
      const baseline = firstPlainList(built, 'GET /users list');
      return preparePool(ctx, built, baseline, fresh ? { note: `every PUT sets a new phone number${hooks ? `; ${HOOK_ACCOUNTS} hooks (${HOOK_SCOPE}) to a node:http receiver, its own server` : ''}` } : {});
    },
    hooks ? { ownServer: true, webhooks: { hooks: HOOK_ACCOUNTS } } : {},
  );
}

/** The pool's first list request without a search and with 10 users: what bare serves (~2 KB). */
function firstPlainList(built: BuiltPool, kind: string, matches: (d: Draft) => boolean = (d) => /[?&]limit=10&offset=\d+$/.test(d.path)): Draft {
  const found = built.drafts.find((d): d is Draft => d !== undefined && d.kind === kind && matches(d));
  const fallback = built.firstOfKind.get(kind);
  const draft = found ?? fallback;
  if (!draft) throw new Error(`no ${kind} request in the pool`);
  return draft;
}

// ------------------------------------------------------------------------------- B2B GraphQL

const B2B_UPDATE_USER = 'mutation UpdateUser ($userData: UserUpdateInputType!) { userUpdate ( userData: $userData ) { user { id } } }';

function b2bGraphqlKinds(callers: Caller[], searchTerms: string[], writeShare: number): Kind[] {
  const reads = 1 - writeShare;
  const usersCheck = (page: { limit: number; offset: number }, search: string | undefined, total: number) => (p: Probe) => {
    const json = p.json as Json | undefined;
    if (p.status !== 200 || !json || json.errors !== undefined || !json.data) return brief(p);
    const users = json.data.users;
    if (!Array.isArray(users?.edges) || typeof users.totalCount !== 'number') return `no users connection: ${brief(p)}`;
    if (search === undefined && (users.totalCount !== total || users.edges.length !== Math.min(page.limit, total - page.offset))) {
      return `expected ${Math.min(page.limit, total - page.offset)} of ${total} users, got ${users.edges.length} of ${users.totalCount}`;
    }
    return undefined;
  };
  const portal: Kind = {
    name: 'users (Buyer Portal document)',
    share: 0.8 * reads,
    make(random) {
      const caller = pick(random, callers);
      const page = pageOf(random, [10, 12, 25]);
      const q = random() < 0.25 ? pick(random, searchTerms) : undefined;
      // the variables the portal sends, including three its document does not declare (observed-requests.md #6)
      const variables = { first: page.limit, offset: page.offset, search: '', companyId: caller.company.id, q: q ?? '', createdBy: '', email: '' };
      return {
        kind: q !== undefined ? 'users (Buyer Portal document) + search' : 'users (Buyer Portal document)',
        method: 'POST',
        path: '/graphql',
        headers: { ...bearer(caller.token), ...JSON_HEADERS },
        body: JSON.stringify({ query: B2B_USERS_QUERY, variables }),
        check: usersCheck(page, q, caller.company.users.length),
      };
    },
  };
  const inline: Kind = {
    name: 'users (inline literals)',
    share: 0.2 * reads,
    make(random) {
      const caller = pick(random, callers);
      const page = pageOf(random, [10, 12, 25]);
      const q = random() < 0.25 ? pick(random, searchTerms) : undefined;
      const query = `query { users(companyId: ${caller.company.id}, first: ${page.limit}, offset: ${page.offset}${q !== undefined ? `, search: ${JSON.stringify(q)}` : ''}) { totalCount edges { node { id firstName lastName email phone role companyRoleName } } } }`;
      return {
        kind: q !== undefined ? 'users (inline literals) + search' : 'users (inline literals)',
        method: 'POST',
        path: '/graphql',
        headers: { ...bearer(caller.token), ...JSON_HEADERS },
        body: JSON.stringify({ query }),
        check: usersCheck(page, q, caller.company.users.length),
      };
    },
  };
  const kinds = [portal, inline];
  if (writeShare > 0) {
    kinds.push({
      name: 'userUpdate',
      share: writeShare,
      make(random) {
        const caller = pick(random, callers);
        const user = caller.company.users[randomInt(random, 1, caller.company.users.length - 1)] as MixedCompanyUser;
        const change = changeOf(random, user);
        const userData = { userId: user.id, companyId: caller.company.id, companyRoleId: user.role, firstName: change.firstName, lastName: user.lastName, phone: change.phone, extraFields: [] };
        return {
          kind: 'userUpdate',
          method: 'POST',
          path: '/graphql',
          headers: { ...bearer(caller.token), ...JSON_HEADERS },
          body: JSON.stringify({ query: B2B_UPDATE_USER, variables: { userData } }),
          check(p) {
            const json = p.json as Json | undefined;
            if (p.status !== 200 || !json || json.errors !== undefined) return brief(p);
            if (String(json.data?.userUpdate?.user?.id) !== String(user.id)) return `unexpected userUpdate answer: ${brief(p)}`;
            return undefined;
          },
        };
      },
    });
  }
  return kinds;
}

const mixedB2bGraphql = mixedScenario('mixed-b2b-graphql', 'Mixed: B2B GraphQL users(companyId, first, offset, search) + userUpdate (40 callers)', async (ctx, mixed) => {
    const built = buildPool(b2bGraphqlKinds(callersOf(mixed), mixed.dataset.searchTerms, ctx.writeShare), MIXED_POOL_SIZE, { graphql: true });
    const baseline = firstPlainList(built, 'users (Buyer Portal document)', (d) => /"first":12,"offset":\d+,"search":"","companyId":\d+,"q":""/.test(d.body ?? ''));
    return preparePool(ctx, built, baseline);
});

// ------------------------------------------------------------------------------- Account GraphQL

const ACCOUNT_USERS_PAGE =
  'query AccountUsers($first: Int, $after: String) { account { users(first: $first, after: $after) { edges { cursor node { id email firstName lastName status } } pageInfo { hasNextPage endCursor } collectionInfo { totalItems } } } }';
const ACCOUNT_USERS_FILTERED =
  'query FindUsers($filters: AccountUsersFiltersInput) { account { users(first: 25, filters: $filters) { edges { node { id email firstName lastName locale status } } collectionInfo { totalItems } } } }';
const ACCOUNT_ONE_USER =
  'query User($id: ID!) { account { users(filters: { ids: [$id] }) { edges { node { id email firstName lastName locale lastLoginAt status updatedAt } } } } }';
const STORE_USERS_PAGE =
  'query StoreUsers($first: Int, $after: String) { account { stores(first: 1) { edges { node { id storeHash users(first: $first, after: $after) { edges { cursor node { id email firstName lastName permissions status } } pageInfo { hasNextPage endCursor } collectionInfo { totalItems } } } } } } }';
const ADD_USER_TO_STORE = 'mutation AddUserToStore($input: AddUserToStoreInput!) { user { addUserToStore(input: $input) { storeId } } }';
const REMOVE_USER_FROM_STORE =
  'mutation RemoveUserFromStore($input: RemoveUserFromStoreInput!) { user { removeUserFromStore(input: $input) { storeId user { id email } } } }';

const userGlobalId = (id: number) => `bc/account/user/${id}`;

/** Every edge cursor of a connection, walked 50 at a time (the API's largest page). */
async function walkCursors(ctx: ServerContext, path: string, headers: Record<string, string>, query: string, connectionOf: (data: Json) => Json | undefined): Promise<string[] | string> {
  const cursors: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const p = await probe(ctx.baseUrl, path, { method: 'POST', headers, body: JSON.stringify({ query, variables: { first: 50, after } }) });
    const json = p.json as Json | undefined;
    const connection = json?.data ? connectionOf(json.data as Json) : undefined;
    if (p.status !== 200 || json?.errors !== undefined || !Array.isArray(connection?.edges)) return `walking pages: ${brief(p)}`;
    for (const edge of connection.edges as Json[]) if (typeof edge.cursor === 'string') cursors.push(edge.cursor);
    if (connection.pageInfo?.hasNextPage !== true) return cursors;
    after = connection.pageInfo.endCursor as string;
  }
  return cursors;
}

const mixedAccountGraphql = mixedScenario('mixed-account-graphql', 'Mixed: Account GraphQL users pages / filters / store users / one user + add/removeUserFromStore', async (ctx, mixed) => {
    const { dataset } = mixed;
    const path = `/accounts/${dataset.accountUuid}/graphql`;
    const headers = { 'x-auth-token': ACCOUNT_TOKEN, ...JSON_HEADERS };
    const accountCursors = await walkCursors(ctx, path, headers, ACCOUNT_USERS_PAGE, (d) => d.account?.users);
    if (typeof accountCursors === 'string') return { ok: false, reason: `account users: ${accountCursors}` };
    const storeCursors = await walkCursors(ctx, path, headers, STORE_USERS_PAGE, (d) => d.account?.stores?.edges?.[0]?.node?.users);
    if (typeof storeCursors === 'string') return { ok: false, reason: `store users: ${storeCursors}` };
    if (accountCursors.length < dataset.accountUsers.length || storeCursors.length < dataset.shape.storeMembers) {
      return { ok: false, reason: `walked ${accountCursors.length} account users and ${storeCursors.length} store users, expected ≥ ${dataset.accountUsers.length} and ≥ ${dataset.shape.storeMembers}` };
    }
    const random = seededRandom(MIXED_SEED + 1);
    // a few real cursors: the pages start there (leaving at least a full page after them)
    const sample = (cursors: string[]) => Array.from({ length: 60 }, () => cursors[randomInt(random, 0, cursors.length - 26)] as string);
    const accountAfter = sample(accountCursors);
    const storeAfter = sample(storeCursors);
    const users = dataset.accountUsers;
    const minAccountUsers = users.length;

    const graphql = (kind: string, query: string, variables: Record<string, unknown>, check: (data: Json) => string | undefined): Draft => ({
      kind,
      method: 'POST',
      path,
      headers,
      body: JSON.stringify({ query, variables }),
      check(p) {
        const json = p.json as Json | undefined;
        if (p.status !== 200 || !json || json.errors !== undefined || !json.data) return brief(p);
        return check(json.data as Json);
      },
    });
    const pageCheck = (first: number) => (data: Json) => {
      const c = data.account?.users;
      if (!Array.isArray(c?.edges) || c.edges.length !== first) return `expected ${first} edges, got ${JSON.stringify(c)?.slice(0, 160)}`;
      if (typeof c.collectionInfo?.totalItems !== 'number' || c.collectionInfo.totalItems < minAccountUsers) return `totalItems ${c.collectionInfo?.totalItems}`;
      return undefined;
    };
    const writeShare = ctx.writeShare;
    const reads = 1 - writeShare;
    const kinds: Kind[] = [
      {
        name: 'account users page',
        share: 0.35 * reads,
        make(r) {
          const first = pick(r, [10, 25]);
          const after = r() < 0.2 ? null : pick(r, accountAfter);
          return graphql(after === null ? 'account users first page' : 'account users page', ACCOUNT_USERS_PAGE, { first, after }, pageCheck(first));
        },
      },
      {
        name: 'users filtered (email / ids)',
        share: 0.15 * reads,
        make(r) {
          if (r() < 0.5) {
            const user = pick(r, users);
            const email = r() < 0.5 ? user.email.toUpperCase() : user.email;
            return graphql('users filtered by email', ACCOUNT_USERS_FILTERED, { filters: { email } }, (data) => {
              const edges = data.account?.users?.edges;
              return Array.isArray(edges) && edges.length === 1 && edges[0]?.node?.id === userGlobalId(user.id) ? undefined : `email filter: ${JSON.stringify(data).slice(0, 160)}`;
            });
          }
          const ids = [...new Set(Array.from({ length: randomInt(r, 2, 5) }, () => pick(r, users).id))];
          return graphql('users filtered by ids', ACCOUNT_USERS_FILTERED, { filters: { ids: ids.map(userGlobalId) } }, (data) => {
            const edges = data.account?.users?.edges;
            return Array.isArray(edges) && edges.length === ids.length ? undefined : `ids filter (${ids.length}): ${JSON.stringify(data).slice(0, 160)}`;
          });
        },
      },
      {
        name: "the store's users",
        share: 0.25 * reads,
        make(r) {
          const first = pick(r, [10, 25]);
          const after = r() < 0.2 ? null : pick(r, storeAfter);
          return graphql(after === null ? "the store's users, first page" : "the store's users", STORE_USERS_PAGE, { first, after }, (data) => {
            const node = data.account?.stores?.edges?.[0]?.node;
            if (node?.storeHash !== dataset.accountStoreHash) return `first store is ${node?.storeHash}, expected ${dataset.accountStoreHash}`;
            if (!Array.isArray(node.users?.edges) || node.users.edges.length !== first) return `expected ${first} store users, got ${JSON.stringify(node.users)?.slice(0, 160)}`;
            return undefined;
          });
        },
      },
      {
        name: 'one user by id',
        share: 0.25 * reads,
        make(r) {
          const user = pick(r, users);
          return graphql('one user by id', ACCOUNT_ONE_USER, { id: userGlobalId(user.id) }, (data) => {
            const edges = data.account?.users?.edges;
            return Array.isArray(edges) && edges.length === 1 && edges[0]?.node?.email === user.email ? undefined : `user ${user.id}: ${JSON.stringify(data).slice(0, 160)}`;
          });
        },
      },
    ];

    // write cycles: each connection adds users that are not store members, then removes the same user
    const outsiders = users.filter((u) => !u.isStoreMember);
    const cycleCount = ctx.connections;
    const perCycle = Math.min(8, Math.floor(outsiders.length / Math.max(cycleCount, 1)));
    let cycles: Draft[][] | undefined;
    if (writeShare > 0) {
      if (perCycle < 1) return { ok: false, reason: `${outsiders.length} users outside the store cannot give ${cycleCount} connections a user each` };
      cycles = Array.from({ length: cycleCount }, (_, c) =>
        Array.from({ length: perCycle }, (_, k) => outsiders[c * perCycle + k] as (typeof outsiders)[number]).flatMap((user, k) => [
          // both documented ways to name the user: e-mail (the recommended one) and id
          graphql(
            'addUserToStore',
            ADD_USER_TO_STORE,
            { input: { user: k % 2 === 0 ? { email: user.email } : { id: userGlobalId(user.id) }, storeId: `bc/account/store/${dataset.storeId}` } },
            (data) => (typeof data.user?.addUserToStore?.storeId === 'string' ? undefined : `addUserToStore: ${JSON.stringify(data).slice(0, 160)}`),
          ),
          graphql(
            'removeUserFromStore',
            REMOVE_USER_FROM_STORE,
            { input: { storeId: `bc/account/store/${dataset.accountStoreHash}`, userId: userGlobalId(user.id) } },
            (data) => (data.user?.removeUserFromStore?.user?.id === userGlobalId(user.id) ? undefined : `removeUserFromStore: ${JSON.stringify(data).slice(0, 160)}`),
          ),
        ]),
      );
    }
    const built = buildPool(kinds, MIXED_POOL_SIZE, { graphql: true, ...(cycles ? { cycles, cycleShare: writeShare, cycleLabel: 'add/removeUserFromStore' } : {}) });
    const baseline = firstPlainList(built, 'account users page', (d) => (d.body ?? '').includes('"first":10,"after":"'));
    return preparePool(ctx, built, baseline);
});

// ------------------------------------------------------------------------------- B2B Management API v3

const MANAGEMENT = '/api/v3/io';

/** A store-level API account's headers (b2b-management-rest.md §2.1), as integrations send them. */
function managementHeaders(dataset: MixedDataset, token: string, body: boolean): Record<string, string> {
  return { 'x-auth-token': token, 'x-store-hash': dataset.storeHash, ...(body ? JSON_HEADERS : { accept: 'application/json' }) };
}

function managementCallers(dataset: MixedDataset, access?: 'modify'): Record<string, string>[] | string {
  const accounts = dataset.managementAccounts.filter((a) => access === undefined || a.access === access);
  if (accounts.length === 0) return `the mixed dataset declares no ${access === undefined ? '' : `${access} `}store API account for ${dataset.storeHash}`;
  return accounts.map((a) => managementHeaders(dataset, a.token, access === 'modify'));
}

/** `GET /users` answer: a list envelope (§3.1) with `data` the page itself; `expect` checks its figures. */
function managementListCheck(expect: (items: Json[], total: number) => string | undefined) {
  return (p: Probe): string | undefined => {
    const body = p.json as Json | undefined;
    const items = body?.data;
    const total = body?.meta?.pagination?.totalCount;
    if (p.status !== 200 || body?.code !== 200 || !Array.isArray(items)) return brief(p);
    if (typeof total !== 'number') return `no meta.pagination.totalCount: ${brief(p)}`;
    return expect(items as Json[], total);
  };
}

function managementUserCheck(user: MixedCompanyUser, company: MixedCompany) {
  return (p: Probe): string | undefined => {
    const body = p.json as Json | undefined;
    const data = body?.data;
    if (p.status !== 200 || body?.code !== 200 || data?.id !== user.id) return brief(p);
    if (data.customerId !== user.customerId || data.companyId !== company.id || data.email !== user.email) return `unexpected user: ${brief(p)}`;
    return undefined;
  };
}

/**
 * What an integration reads through the Management API: store-wide pages (newest first, deep offsets
 * of a sync job), one Company's users, `q` searches (names, e-mails, Company names), role and e-mail
 * filters, and single users by id and by customer id, from the store's API accounts (modify and
 * read-only alike).
 */
function managementReadKinds(dataset: MixedDataset, callers: Record<string, string>[], storeTotal: number): Kind[] {
  const companies = dataset.companies;
  const mixedUsers = companies.length * dataset.shape.usersPerCompany;
  const list = (kind: string, query: Record<string, string | number | undefined>, caller: Record<string, string>, check: Draft['check']): Draft => {
    const search = Object.entries(query)
      .filter((e): e is [string, string | number] => e[1] !== undefined)
      .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
      .join('&');
    return { kind, method: 'GET', path: `${MANAGEMENT}/users?${search}`, headers: caller, check };
  };
  return [
    {
      name: 'GET /users (store-wide page)',
      share: 0.2,
      make(random) {
        const limit = pick(random, [10, 25, 50]);
        // mostly the newest pages, a third anywhere in the store (a sync job walking it)
        const offset = random() < 0.67 ? randomInt(random, 0, 500) : randomInt(random, 0, mixedUsers - limit);
        return list('GET /users store-wide page', { limit, offset }, pick(random, callers), managementListCheck((items, total) =>
          total !== storeTotal || items.length !== limit ? `expected ${limit} of ${storeTotal} users, got ${items.length} of ${total}` : undefined,
        ));
      },
    },
    {
      name: 'GET /users?companyId',
      share: 0.2,
      make(random) {
        const company = pick(random, companies);
        const { limit, offset } = pageOf(random, [10, 25]);
        const total = company.users.length;
        return list('GET /users?companyId', { companyId: company.id, limit, offset }, pick(random, callers), managementListCheck((items, count) =>
          count !== total || items.length !== Math.min(limit, total - offset) ? `expected ${Math.min(limit, total - offset)} of ${total} users, got ${items.length} of ${count}` : undefined,
        ));
      },
    },
    {
      name: 'GET /users?q',
      share: 0.1,
      make(random) {
        // names and fragments, or a Company's name (q matches Company names too, §4.2); half within one Company
        const company = pick(random, companies);
        const q = random() < 0.2 ? company.name : pick(random, dataset.searchTerms);
        const within = random() < 0.5;
        return list(within ? 'GET /users?q&companyId' : 'GET /users?q store-wide', { q, companyId: within ? company.id : undefined, limit: pick(random, [10, 25]), offset: 0 }, pick(random, callers), managementListCheck((_, total) =>
          total < 1 ? `search ${JSON.stringify(q)} found nothing` : undefined,
        ));
      },
    },
    {
      name: 'GET /users?roles',
      share: 0.05,
      make(random) {
        const roles = pick(random, ['0', '1', '0,1', '1,2']);
        const company = random() < 0.5 ? pick(random, companies) : undefined;
        return list('GET /users?roles', { roles, companyId: company?.id, limit: pick(random, [10, 25]), offset: randomInt(random, 0, 20) }, pick(random, callers), managementListCheck((_, total) =>
          total < 1 ? `roles=${roles} found nothing` : undefined,
        ));
      },
    },
    {
      name: 'GET /users?email',
      share: 0.05,
      make(random) {
        const company = pick(random, companies);
        const user = pick(random, company.users);
        const email = random() < 0.3 ? user.email.toUpperCase() : user.email;
        return list('GET /users?email', { email }, pick(random, callers), managementListCheck((items, total) =>
          total !== 1 || items[0]?.id !== user.id ? `email ${email}: ${total} users, first ${items[0]?.id}` : undefined,
        ));
      },
    },
    {
      name: 'GET /users/{id}',
      share: 0.3,
      make(random) {
        const company = pick(random, companies);
        const user = pick(random, company.users);
        return { kind: 'GET /users/{id}', method: 'GET', path: `${MANAGEMENT}/users/${user.id}`, headers: pick(random, callers), check: managementUserCheck(user, company) };
      },
    },
    {
      name: 'GET /users/customer/{customerId}',
      share: 0.1,
      make(random) {
        const company = pick(random, companies);
        const user = pick(random, company.users);
        return { kind: 'GET /users/customer/{customerId}', method: 'GET', path: `${MANAGEMENT}/users/customer/${user.customerId}`, headers: pick(random, callers), check: managementUserCheck(user, company) };
      },
    },
  ];
}

const mixedManagementList = mixedScenario('mixed-management-list', 'Mixed: Management API v3 GET /users (store-wide, companyId, q, roles, email) + GET /users/{id} (4 API accounts)', async (ctx, mixed) => {
  const { dataset } = mixed;
  const callers = managementCallers(dataset);
  if (typeof callers === 'string') return { ok: false, reason: callers };
  // the store's total as the API counts it (the mixed users and the demo fixture's)
  const first = await probe(ctx.baseUrl, `${MANAGEMENT}/users?limit=1`, { headers: callers[0] as Record<string, string> });
  const storeTotal = (first.json as Json | undefined)?.meta?.pagination?.totalCount;
  const mixedUsers = dataset.companies.length * dataset.shape.usersPerCompany;
  if (first.status !== 200 || typeof storeTotal !== 'number') return { ok: false, reason: `GET ${MANAGEMENT}/users?limit=1: ${brief(first)}` };
  if (storeTotal < mixedUsers) return { ok: false, reason: `the store holds ${storeTotal} users, expected ≥ ${mixedUsers}` };
  const built = buildPool(managementReadKinds(dataset, callers, storeTotal), MIXED_POOL_SIZE, { graphql: false });
  const baseline = firstPlainList(built, 'GET /users?companyId', (d) => /[?&]limit=10&offset=\d+$/.test(d.path));
  return preparePool(ctx, built, baseline);
});

/** Users per `POST /users/bulk` (the API's maximum, §4.4). */
const BULK_SIZE = 10;

/**
 * `POST /users/bulk` of 10 new users from the store's modify API accounts: half the requests for one
 * Company (an import of its buyers), half spread over Companies; Senior or Junior Buyers, by `role` or
 * by `companyRoleId` (as real clients send it), some with a phone number or an external `uuid`. Every
 * e-mail is new: the pool's bodies are templates whose `{{n}}` the load generator fills with a value
 * of its own for each request (and the probes with theirs).
 */
function managementBulkKind(dataset: MixedDataset, callers: Record<string, string>[]): Kind {
  return {
    name: 'POST /users/bulk',
    share: 1,
    make(random) {
      const oneCompany = random() < 0.5 ? pick(random, dataset.companies) : undefined;
      const items = Array.from({ length: BULK_SIZE }, (_, i) => {
        const index = oneCompany ? dataset.companies.indexOf(oneCompany) : randomInt(random, 0, dataset.companies.length - 1);
        const company = dataset.companies[index] as MixedCompany;
        const firstName = pick(random, FIRST_NAMES);
        const lastName = pick(random, LAST_NAMES);
        const role = random() < 0.2 ? 1 : 2;
        return {
          firstName,
          lastName,
          email: `${firstName.toLowerCase()}.${lastName.toLowerCase()}.{{n}}.${i}@mixed-${index + 1}.example`,
          ...(random() < 0.5 ? { phoneNumber: `555${String(randomInt(random, 0, 9_999_999)).padStart(7, '0')}` } : {}),
          companyId: company.id,
          ...(random() < 0.3 ? { companyRoleId: role } : { role }),
          channelIds: [dataset.channelId],
          ...(random() < 0.3 ? { uuid: `erp-{{n}}-${i}` } : {}),
        };
      });
      return {
        kind: oneCompany ? 'POST /users/bulk (one Company)' : 'POST /users/bulk (spread over Companies)',
        method: 'POST',
        path: `${MANAGEMENT}/users/bulk`,
        headers: pick(random, callers),
        body: JSON.stringify(items),
        unique: true,
        check(p) {
          const body = p.json as Json | undefined;
          const data = body?.data;
          if (p.status !== 200 || body?.code !== 200 || !Array.isArray(data)) return brief(p);
          if (data.length !== BULK_SIZE || data.some((d: Json) => typeof d?.userId !== 'number' || typeof d?.bcId !== 'number')) return `expected ${BULK_SIZE} {userId, bcId}: ${brief(p)}`;
          return undefined;
        },
      };
    },
  };
}

const managementBulkCreate = mixedScenario(
  'management-bulk-create',
  'Management API v3 POST /users/bulk, 10 new users per request (2 API accounts, 40 Companies)',
  async (ctx, mixed) => {
    const callers = managementCallers(mixed.dataset, 'modify');
    if (typeof callers === 'string') return { ok: false, reason: callers };
    const built = buildPool([managementBulkKind(mixed.dataset, callers)], MIXED_POOL_SIZE, { graphql: false });
    const baseline = built.firstOfKind.get('POST /users/bulk (one Company)') ?? (built.drafts[0] as Draft);
    return preparePool(ctx, built, baseline, {
      note: 'every e-mail new (a template filled per request); its own server on its own copy of the dataset, which grows by 10 users per request',
      perRequest: { count: BULK_SIZE, name: 'users' },
    });
  },
  { ownServer: true },
);

export const mixedScenarios: Scenario[] = [
  restScenario('mixed-rest-reads'),
  restScenario('mixed-rest-writes'),
  restScenario('mixed-rest-writes-fresh'),
  restScenario('mixed-rest-writes-hooks'),
  mixedB2bGraphql,
  mixedAccountGraphql,
  mixedManagementList,
  managementBulkCreate,
];
