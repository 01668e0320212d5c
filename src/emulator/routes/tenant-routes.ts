import { findCompanyUserDetail, findUserDetail, listAccounts, listAccountStores, listAccountUsers, listB2bStores, listCompanies, listCompanyUsers, listStoreUsers, MAX_PAGE, countTenants, searchTenants } from '../../domain/tenants/tenant-directory.js';
import { AppError } from '../../shared/errors.js';
import type { AdminRoute, Schema } from './admin-route.js';

/** `after` (the `next` of the previous page) and `limit` (1..200, default 50) */
function pagingSchema(after: Schema): Schema {
  return { type: 'object', additionalProperties: false, properties: { after, limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE } } };
}
const ID_CURSOR: Schema = { type: 'integer', minimum: 0 };
const TEXT_CURSOR: Schema = { type: 'string', minLength: 1, maxLength: 200 };
const DEFAULT_LIMIT = 50;

function idParam(value: string, what: string): number {
  if (!/^\d{1,15}$/.test(value)) throw new AppError('NOT_FOUND', `No ${what} "${value}"`);
  return Number(value);
}

type Paging<T> = { after?: T; limit?: number };
const paging = <T>(query: unknown) => {
  const q = query as Paging<T>;
  return { after: q.after, limit: q.limit ?? DEFAULT_LIMIT };
};

/**
 * Browsing a world's tenants (the console's Tenants page): read-only, keyset-paged lists on indexed
 * keys, so a world of a million users is never loaded whole. Each list answers {items, next}; pass
 * `next` back as `after` for the following page.
 */
export const tenantRoutes: AdminRoute[] = [
  {
    method: 'GET',
    url: '/tenants/summary',
    summary: 'Totals of this world and the first accounts and B2B stores with their counts',
    responses: { 200: '{totals, accounts, b2bStores}' },
    async handler(_request, _reply, ctx) {
      const db = ctx.world.database;
      const [totals, accounts, b2bStores] = await Promise.all([countTenants(db), listAccounts(db, { limit: 20 }), listB2bStores(db, { limit: 20 })]);
      return { world: ctx.world.id, totals, accounts: accounts.items, b2bStores: b2bStores.items };
    },
  },
  {
    method: 'GET',
    url: '/tenants/search',
    summary: 'Find users, B2B customers and company users, accounts and stores by exact e-mail, id, account UUID or store hash',
    // `q` may be left out (nothing is found): a query-string check names what is wrong with what was sent
    querystring: { type: 'object', additionalProperties: false, properties: { q: { type: 'string', minLength: 1, maxLength: 320 } } },
    responses: { 200: '{users, customers, companyUsers, accounts, stores}' },
    async handler(request, _reply, ctx) {
      return searchTenants(ctx.world.database, (request.query as { q?: string }).q ?? '');
    },
  },
  {
    method: 'GET',
    url: '/tenants/accounts',
    summary: 'Accounts, by UUID, with their user and store counts (paged)',
    querystring: pagingSchema(TEXT_CURSOR),
    responses: { 200: '{items, next}' },
    async handler(request, _reply, ctx) {
      return listAccounts(ctx.world.database, paging<string>(request.query));
    },
  },
  {
    method: 'GET',
    url: '/tenants/accounts/:uuid/stores',
    summary: 'Stores of an account with their user counts (paged)',
    querystring: pagingSchema(ID_CURSOR),
    responses: { 200: '{items, next}' },
    async handler(request, _reply, ctx) {
      return listAccountStores(ctx.world.database, (request.params as { uuid: string }).uuid.toLowerCase(), paging<number>(request.query));
    },
  },
  {
    method: 'GET',
    url: '/tenants/accounts/:uuid/users',
    summary: 'Users of an account (paged by user id)',
    querystring: pagingSchema(ID_CURSOR),
    responses: { 200: '{items, next}' },
    async handler(request, _reply, ctx) {
      return listAccountUsers(ctx.world.database, (request.params as { uuid: string }).uuid.toLowerCase(), paging<number>(request.query));
    },
  },
  {
    method: 'GET',
    url: '/tenants/stores/:id/users',
    summary: 'Users of a store with their permissions and apps (paged by user id)',
    querystring: pagingSchema(ID_CURSOR),
    responses: { 200: '{items, next}', 404: 'Not a store id' },
    async handler(request, _reply, ctx) {
      return listStoreUsers(ctx.world.database, idParam((request.params as { id: string }).id, 'store'), paging<number>(request.query));
    },
  },
  {
    method: 'GET',
    url: '/tenants/users/:id',
    summary: 'One user with account and store memberships',
    responses: { 200: 'The user', 404: 'No such user' },
    async handler(request, _reply, ctx) {
      const id = idParam((request.params as { id: string }).id, 'user');
      const user = await findUserDetail(ctx.world.database, id);
      if (!user) throw new AppError('NOT_FOUND', `No user ${id}`);
      return user;
    },
  },
  {
    method: 'GET',
    url: '/tenants/b2b',
    summary: 'B2B stores with their company and company-user counts (paged by store hash)',
    querystring: pagingSchema(TEXT_CURSOR),
    responses: { 200: '{items, next}' },
    async handler(request, _reply, ctx) {
      return listB2bStores(ctx.world.database, paging<string>(request.query));
    },
  },
  {
    method: 'GET',
    url: '/tenants/b2b/:storeHash/companies',
    summary: 'Companies of a B2B store with parent (subsidiaries) and user counts (paged by id)',
    querystring: pagingSchema(ID_CURSOR),
    responses: { 200: '{items, next}' },
    async handler(request, _reply, ctx) {
      return listCompanies(ctx.world.database, (request.params as { storeHash: string }).storeHash, paging<number>(request.query));
    },
  },
  {
    method: 'GET',
    url: '/tenants/b2b/:storeHash/users/:id',
    summary: 'One company user (B2B) with their company and role',
    responses: { 200: 'The company user', 404: 'No such company user in this store' },
    async handler(request, _reply, ctx) {
      const { storeHash, id } = request.params as { storeHash: string; id: string };
      const user = await findCompanyUserDetail(ctx.world.database, storeHash, idParam(id, 'company user'));
      if (!user) throw new AppError('NOT_FOUND', `No company user ${id} in store ${storeHash}`);
      return user;
    },
  },
  {
    method: 'GET',
    url: '/tenants/b2b/:storeHash/companies/:id/users',
    summary: 'Users of a company with their roles (paged by id)',
    querystring: pagingSchema(ID_CURSOR),
    responses: { 200: '{items, next}', 404: 'Not a company id' },
    async handler(request, _reply, ctx) {
      const { storeHash, id } = request.params as { storeHash: string; id: string };
      return listCompanyUsers(ctx.world.database, storeHash, idParam(id, 'company'), paging<number>(request.query));
    },
  },
];
