import type { ManagementUserFilters } from '../../domain/company-users/management-user-repository.js';
import { pythonType } from '../../domain/company-users/management-user-validation.js';
import { AppError } from '../../shared/errors.js';
import { usersList, usersOk } from './management-envelope.js';
import { callerOf, type ManagementRoute } from './management-plugin.js';
import { bodyRecord, lastValue, listValues, managementUser, parsePaging, pathId, type Query, queryInteger } from './management-wire.js';

/** `/users...` of the Management API (b2b-management-rest.md §4): the routes of §1.1 #1-#8. */
const MAX_BULK = 10;

const userNotFound = () => new AppError('B2B_USER_NOT_FOUND');

/** §4.2: the filters of `GET /users`; bad values are collected in the parameters' order, then thrown once. */
export function parseUserFilters(query: Query): { filters: ManagementUserFilters; withExtraFields: boolean } {
  const errors: Record<string, unknown> = {};
  const filters: ManagementUserFilters = {};
  const integer = (name: string): number | undefined => {
    const text = lastValue(query, name);
    if (text === undefined || text.trim() === '') return undefined;
    const value = queryInteger(text);
    if (value === undefined) errors[name] = ['A valid integer is required.'];
    return value;
  };
  const companyId = integer('companyId');
  if (companyId !== undefined) filters.companyId = companyId;
  const roles = listValues(query, 'roles');
  if (roles.length > 0) {
    const bad: Record<string, string[]> = {};
    const valid: number[] = [];
    roles.forEach((text, index) => {
      if (/^[0-2]$/.test(text)) valid.push(Number(text));
      else bad[String(index)] = [`"${text}" is not a valid choice.`];
    });
    if (Object.keys(bad).length > 0) errors.roles = bad;
    else filters.roles = [...new Set(valid)].sort();
  }
  for (const name of ['minModified', 'maxModified', 'minCreated', 'maxCreated'] as const) {
    const value = integer(name);
    if (value !== undefined) filters[name] = value;
  }
  const email = lastValue(query, 'email');
  if (email !== undefined && email.trim() !== '') filters.email = email.trim();
  const channelId = integer('channelId');
  if (channelId !== undefined) filters.channelId = channelId;
  const include = lastValue(query, 'isIncludeExtraFields');
  let withExtraFields = false;
  if (include !== undefined && include !== '') {
    if (include === '1') withExtraFields = true;
    else if (include !== '0') errors.isIncludeExtraFields = [`"${include}" is not a valid choice.`];
  }
  const q = lastValue(query, 'q');
  if (q !== undefined && q.trim() !== '') filters.q = q;
  if (Object.keys(errors).length > 0) throw new AppError('B2B_PARAMETER_ERROR', undefined, { fields: errors });
  return { filters, withExtraFields };
}

export function registerManagementUserRoutes(add: (route: ManagementRoute) => void): void {
  add({
    method: 'GET',
    url: '/users',
    operationId: 'companies_users_list',
    summary: 'Get users of the store (every Company), newest first, with filters',
    family: 'users',
    async handler(request) {
      const query = request.query as Query;
      const paging = parsePaging(query);
      const { filters, withExtraFields } = parseUserFilters(query);
      const { storeHash } = callerOf(request);
      const page = await request.services.companyUsers.management.list(storeHash, filters, paging);
      return usersList(
        page.items.map((u) => managementUser(u, withExtraFields)),
        { totalCount: page.totalCount, limit: paging.limit, offset: paging.offset },
      );
    },
  });

  add({
    method: 'POST',
    url: '/users',
    operationId: 'companies_users_create',
    summary: 'Create a Company user',
    family: 'users',
    async handler(request) {
      const body = bodyRecord(request.body);
      return usersOk(await request.services.companyUsers.management.create(callerOf(request).storeHash, body));
    },
  });

  add({
    method: 'POST',
    url: '/users/bulk',
    operationId: 'companies_users_bulk_create_create',
    summary: 'Create up to 10 Company users (all or nothing)',
    family: 'users',
    async handler(request) {
      const body = request.body;
      if (Array.isArray(body) && body.length > MAX_BULK) throw new AppError('PAYLOAD_TOO_LARGE', 'Add up to ten data at a time');
      if (!Array.isArray(body)) {
        const type = body === undefined ? 'NoneType' : pythonType(body);
        throw new AppError('B2B_PARAMETER_ERROR', undefined, { fields: { non_field_errors: [`Expected a list of items but got type "${type}".`] } });
      }
      if (body.length === 0) throw new AppError('B2B_PARAMETER_ERROR', undefined, { fields: { non_field_errors: ['This list may not be empty.'] } });
      return usersOk(await request.services.companyUsers.management.createMany(callerOf(request).storeHash, body));
    },
  });

  add({
    method: 'GET',
    url: '/users/extra-fields',
    operationId: 'get_users_extra_fields',
    summary: 'Get user extra-field configurations',
    family: 'users',
    async handler(request) {
      const paging = parsePaging(request.query as Query);
      const all = await request.services.companyUsers.management.extraFieldConfigs(callerOf(request).storeHash);
      return usersList(all.slice(paging.offset, paging.offset + paging.limit), { totalCount: all.length, limit: paging.limit, offset: paging.offset });
    },
  });

  add({
    method: 'GET',
    url: '/users/customer/:customerId',
    operationId: 'companies_user_read',
    summary: 'Get a Company user by BigCommerce customer id',
    family: 'users',
    async handler(request) {
      const id = pathId((request.params as { customerId?: string }).customerId, userNotFound);
      const user = await request.services.companyUsers.management.getByCustomer(callerOf(request).storeHash, id);
      return usersOk(managementUser(user, true));
    },
  });

  add({
    method: 'GET',
    url: '/users/:userId',
    operationId: 'companies_user_by_id',
    summary: 'Get a Company user',
    family: 'users',
    async handler(request) {
      const id = pathId((request.params as { userId?: string }).userId, userNotFound);
      return usersOk(managementUser(await request.services.companyUsers.management.get(callerOf(request).storeHash, id), true));
    },
  });

  add({
    method: 'PUT',
    url: '/users/:userId',
    operationId: 'companies_user_update',
    summary: 'Update a Company user (partial)',
    family: 'users',
    async handler(request) {
      const id = pathId((request.params as { userId?: string }).userId, userNotFound);
      const body = bodyRecord(request.body);
      return usersOk(managementUser(await request.services.companyUsers.management.update(callerOf(request).storeHash, id, body), true));
    },
  });

  add({
    method: 'DELETE',
    url: '/users/:userId',
    operationId: 'companies_user_delete',
    summary: 'Delete a Company user (not the last one of its Company)',
    family: 'users',
    async handler(request) {
      const id = pathId((request.params as { userId?: string }).userId, userNotFound);
      return usersOk({ userId: await request.services.companyUsers.management.delete(callerOf(request).storeHash, id) });
    },
  });
}
