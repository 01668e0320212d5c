import type { FastifyRequest } from 'fastify';
import type { CompanyListFilters, CompanyOrder, ManagedCompany } from '../../domain/company-management/company-management-repository.js';
import type { CompanyNode } from '../../domain/company-management/company-management.js';
import { cataloguePermissionByCode, permissionCatalogue } from '../../domain/company-roles/permission-codes.js';
import type { DeclaredExtraField } from '../../domain/company-users/management-user-validation.js';
import type { ExtraField } from '../../domain/company-users/company-user-types.js';
import { throttledMessage } from '../../http/b2b-caller.js';
import { AppError } from '../../shared/errors.js';
import { companiesList, companiesOk } from './management-envelope.js';
import { callerOf, type ManagementRoute } from './management-plugin.js';
import { lastValue, listValues, parsePaging, pathId, type Query, queryInteger } from './management-wire.js';

/**
 * `/companies...` of the Management API (b2b-management-rest.md §5-§7): Companies, their status,
 * bulk writes, extra fields, the account hierarchy, roles and permissions. Companies answer
 * "SUCCESS" and refuse with one sentence in `meta.message`; the hierarchy routes answer without
 * `code` and refuse with `{status, title, errors}`.
 */
const companyNotFound = () => new AppError('MANAGEMENT_COMPANY_NOT_FOUND');
const hierarchyNotFound = () => new AppError('MANAGEMENT_HIERARCHY_NOT_FOUND', 'Company does not exist.', { title: 'Parameter Error.' });
const invalid = (name: string) => new AppError('MANAGEMENT_COMPANY_ERROR', `The ${name} value is invalid.`);

/** §5.1 in its key order; `bcGroupId` a number in lists and a string in the detail (§13 #3). */
function companyObject(c: ManagedCompany, options: { detail: boolean; extraFields: boolean; declared: readonly DeclaredExtraField[] }): Record<string, unknown> {
  const byName = new Map(options.declared.map((d) => [d.fieldName, d]));
  const rank = new Map(options.declared.map((d, i) => [d.fieldName, i]));
  // configuration order, then by name (as users' extra fields, §4.1)
  const ordered = [...c.extraFields].sort(
    (a, b) => (rank.get(a.fieldName) ?? Number.MAX_SAFE_INTEGER) - (rank.get(b.fieldName) ?? Number.MAX_SAFE_INTEGER) || (a.fieldName < b.fieldName ? -1 : a.fieldName > b.fieldName ? 1 : 0),
  );
  return {
    companyId: c.id,
    companyName: c.name,
    companyEmail: c.email,
    companyPhone: c.phone,
    addressLine1: c.addressLine1,
    addressLine2: c.addressLine2,
    city: c.city,
    state: c.state,
    country: c.country,
    zipCode: c.zipCode,
    companyStatus: c.status,
    bcGroupId: options.detail ? String(c.customerGroupId) : c.customerGroupId,
    bcGroupName: c.customerGroupName,
    catalogId: '',
    catalogName: '',
    priceListAssign: [],
    parentCompany: c.parentId === null ? {} : { id: c.parentId, name: c.parentName ?? '' },
    uuid: c.uuid,
    ...(options.extraFields
      ? {
          extraFields: ordered.map((f) => {
            const config = byName.get(f.fieldName);
            const type = config?.fieldType ?? 0;
            return { fieldName: f.fieldName, fieldValue: f.fieldValue, labelName: f.fieldName, isRequired: config?.isRequired ? '1' : '0', dataType: String(type), fieldType: type };
          }),
        }
      : {}),
    createdAt: String(Math.floor(c.createdAt / 1000)),
    updatedAt: String(Math.floor(c.updatedAt / 1000)),
  };
}

function nodeObject(node: CompanyNode): Record<string, unknown> {
  return {
    companyId: node.companyId,
    companyName: node.companyName,
    companyStatus: node.companyStatus,
    ...(node.subsidiaries.length > 0 ? { subsidiaries: node.subsidiaries.map(nodeObject) } : {}),
  };
}

/** §5.2: the filters of `GET /companies`, the first invalid parameter refused. */
export function parseCompanyQuery(query: Query): {
  filters: CompanyListFilters;
  order: CompanyOrder;
  withExtraFields: boolean;
  extraFieldFilter?: (fields: readonly ExtraField[]) => boolean;
} {
  const filters: CompanyListFilters = {};
  for (const name of ['minModified', 'maxModified', 'minCreated', 'maxCreated'] as const) {
    const text = lastValue(query, name);
    if (text === undefined || text.trim() === '') continue;
    const value = queryInteger(text);
    if (value === undefined) throw invalid(name);
    filters[name] = value;
  }
  const sortBy = lastValue(query, 'sortBy');
  let sort: CompanyOrder['sortBy'] = 'updatedAt';
  if (sortBy !== undefined && sortBy !== '') {
    if (sortBy !== 'companyName' && sortBy !== 'updatedAt') throw invalid('sortBy');
    sort = sortBy;
  }
  const orderBy = lastValue(query, 'orderBy');
  let direction: CompanyOrder['direction'] = 'desc';
  if (orderBy !== undefined && orderBy !== '') {
    const lower = orderBy.toLowerCase();
    if (lower !== 'asc' && lower !== 'desc') throw invalid('orderBy');
    direction = lower;
  }
  const include = lastValue(query, 'isIncludeExtraFields');
  if (include !== undefined && include !== '' && include !== '0' && include !== '1') throw invalid('isIncludeExtraFields');
  const status = lastValue(query, 'companyStatus');
  if (status !== undefined && status !== '') {
    if (!/^[0-3]$/.test(status.trim())) throw invalid('companyStatus');
    filters.status = Number(status.trim());
  }
  const q = lastValue(query, 'q');
  if (q !== undefined && q.trim() !== '') filters.q = q;
  const pairs: { name: string; value: string }[] = [];
  for (const item of listValues(query, 'extraFields')) {
    const at = item.indexOf(':');
    if (at < 0) throw invalid('extraFields');
    pairs.push({ name: item.slice(0, at).trim().toLowerCase(), value: item.slice(at + 1) });
  }
  const filterType = lastValue(query, 'extraFieldFilterType');
  if (filterType !== undefined && filterType !== '' && filterType !== 'search' && filterType !== 'exact-match') throw invalid('extraFieldFilterType');
  const exact = filterType === 'exact-match';
  for (const [name, key] of [
    ['bcGroupId', 'customerGroupId'],
    ['customerId', 'customerId'],
  ] as const) {
    const text = lastValue(query, name);
    if (text === undefined || text.trim() === '') continue;
    const value = queryInteger(text);
    if (value === undefined) throw invalid(name);
    filters[key] = value;
  }
  for (const name of ['bcOrderId', 'orderId']) {
    const text = lastValue(query, name);
    if (text === undefined || text.trim() === '') continue;
    if (queryInteger(text) === undefined) throw invalid(name);
    filters.none = true; // Roster has no orders (§14 #29)
  }
  const extraFieldFilter =
    pairs.length === 0
      ? undefined
      : (fields: readonly ExtraField[]) =>
          pairs.every(({ name, value }) =>
            fields.some((f) => f.fieldName.toLowerCase() === name && (exact ? f.fieldValue === value : f.fieldValue.toLowerCase().includes(value.toLowerCase()))),
          );
  return { filters, order: { sortBy: sort, direction }, withExtraFields: include === '1', ...(extraFieldFilter ? { extraFieldFilter } : {}) };
}

/** A Companies-family body: an object (`{}` when empty), else 422 `The request body is invalid.` (§14 #20). */
function companyBody(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
  throw new AppError('MANAGEMENT_COMPANY_ERROR', 'The request body is invalid.');
}

const companyIdOf = (request: FastifyRequest, notFound: () => AppError = companyNotFound) => pathId((request.params as { companyId?: string }).companyId, notFound);

/** §9: the hierarchy's own 15-per-minute bucket per store, on top of the shared one */
async function countHierarchyCall(request: FastifyRequest, storeHash: string): Promise<void> {
  const services = request.services;
  if (services.rateLimitSettingFor('b2b', storeHash) === null) return;
  const decision = await services.rateLimiter.consume(`b2b-hierarchy:${storeHash}`, { requests: 15, windowMs: 60_000 });
  if (decision && !decision.allowed) {
    const seconds = Math.max(1, Math.ceil(decision.resetMs / 1000));
    request.managementRetryAfter = String(seconds);
    throw new AppError('RATE_LIMITED', throttledMessage(decision.resetMs));
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Retry-After of a refusal by a route's own bucket (the hierarchy's) */
    managementRetryAfter?: string;
  }
}

export function registerManagementCompanyRoutes(add: (route: ManagementRoute) => void): void {
  add({
    method: 'GET',
    url: '/companies',
    operationId: 'get-companies',
    summary: 'Get Companies with filters and sorting',
    family: 'companies',
    async handler(request) {
      const query = request.query as Query;
      const paging = parsePaging(query);
      const parsed = parseCompanyQuery(query);
      const { storeHash } = callerOf(request);
      const companies = request.services.companies;
      const page = await companies.list(storeHash, parsed.filters, parsed.order, paging, parsed.extraFieldFilter);
      const declared = parsed.withExtraFields ? await companies.declaredCompanyFields(storeHash) : [];
      return companiesList(
        page.items.map((c) => companyObject(c, { detail: false, extraFields: parsed.withExtraFields, declared })),
        { totalCount: page.totalCount, limit: paging.limit, offset: paging.offset },
      );
    },
  });

  add({
    method: 'POST',
    url: '/companies',
    operationId: 'post-companies',
    summary: 'Create a Company and its administrator',
    family: 'companies',
    async handler(request) {
      return companiesOk(await request.services.companies.create(callerOf(request).storeHash, companyBody(request.body)));
    },
  });

  add({
    method: 'POST',
    url: '/companies/bulk',
    operationId: 'post-companies-bulk',
    summary: 'Create up to 10 Companies (all or nothing)',
    family: 'companies',
    async handler(request) {
      const body = request.body;
      if (Array.isArray(body) && body.length > 10) throw new AppError('PAYLOAD_TOO_LARGE', undefined, { companies: true });
      if (!Array.isArray(body) || body.length === 0) throw new AppError('MANAGEMENT_COMPANY_ERROR', 'Company was not valid.', { data: { errors: [] } });
      const { companyIds, batchId } = await request.services.companies.createMany(callerOf(request).storeHash, body);
      return { code: 200, meta: companyIds.map((companyId) => ({ companyId })), data: { id: batchId } };
    },
  });

  add({
    method: 'PUT',
    url: '/companies/bulk',
    operationId: 'put-companies',
    summary: 'Update up to 10 Companies (all or nothing)',
    family: 'companies',
    async handler(request) {
      const body = request.body;
      const items = Array.isArray(body) ? body : [companyBody(body)];
      if (items.length > 10) throw new AppError('PAYLOAD_TOO_LARGE', undefined, { companies: true });
      await request.services.companies.updateMany(callerOf(request).storeHash, items);
      return companiesOk({});
    },
  });

  add({
    method: 'GET',
    url: '/companies/extra-fields',
    operationId: 'get-companies-extra-fields',
    summary: 'Get Company extra-field configurations',
    family: 'companies',
    async handler(request) {
      const paging = parsePaging(request.query as Query);
      const all = await request.services.companies.extraFieldConfigs(callerOf(request).storeHash);
      return companiesList(all.slice(paging.offset, paging.offset + paging.limit), { totalCount: all.length, limit: paging.limit, offset: paging.offset });
    },
  });

  add({
    method: 'GET',
    url: '/companies/roles',
    operationId: 'get-stores-companies-roles',
    summary: 'Get Company roles',
    family: 'companies',
    async handler(request) {
      const query = request.query as Query;
      const paging = parsePaging(query);
      const q = lastValue(query, 'q');
      const page = await request.services.companyRoles.listStoreRoles(callerOf(request).storeHash, { ...(q !== undefined ? { search: q } : {}), ...paging });
      return companiesList(
        page.items.map((r) => ({ id: r.id, name: r.name, roleType: r.roleType, roleLevel: r.roleLevel })),
        { totalCount: page.totalCount, limit: paging.limit, offset: paging.offset },
      );
    },
  });

  add({
    method: 'GET',
    url: '/companies/roles/:roleId',
    operationId: 'get-stores-companies-roles-int:roleId',
    summary: 'Get a Company role with its permissions',
    family: 'companies',
    async handler(request) {
      const id = pathId((request.params as { roleId?: string }).roleId, companyNotFound);
      const role = await request.services.companyRoles.findStoreRole(callerOf(request).storeHash, id);
      if (!role) throw companyNotFound();
      const permissions = role.permissions
        .map((p) => ({ id: cataloguePermissionByCode.get(p.code)?.id ?? 0, code: p.code, permissionLevel: p.permissionLevel }))
        .sort((a, b) => a.id - b.id || (a.code < b.code ? -1 : 1));
      return companiesOk({ id: role.id, name: role.name, roleType: role.roleType, roleLevel: role.roleLevel, permissions });
    },
  });

  add({
    method: 'GET',
    url: '/companies/permissions',
    operationId: 'get-stores-companies-permissions',
    summary: 'Get the permission catalogue',
    family: 'companies',
    async handler(request) {
      callerOf(request);
      const q = lastValue(request.query as Query, 'q')?.trim().toLowerCase();
      const items = permissionCatalogue.filter((p) => !q || p.name.toLowerCase().includes(q));
      return companiesOk(items.map((p) => ({ id: p.id, name: p.name, description: p.name, code: p.code, isCustom: false, moduleName: p.moduleName })));
    },
  });

  add({
    method: 'GET',
    url: '/companies/:companyId',
    operationId: 'get-companies-companyId',
    summary: 'Get a Company',
    family: 'companies',
    async handler(request) {
      const id = companyIdOf(request);
      const { storeHash } = callerOf(request);
      const company = await request.services.companies.get(storeHash, id);
      const declared = await request.services.companies.declaredCompanyFields(storeHash);
      return companiesOk(companyObject(company, { detail: true, extraFields: true, declared }));
    },
  });

  add({
    method: 'PUT',
    url: '/companies/:companyId',
    operationId: 'put-companies-companyId',
    summary: 'Update a Company (partial)',
    family: 'companies',
    async handler(request) {
      const id = companyIdOf(request);
      const body = companyBody(request.body);
      return companiesOk({ companyId: await request.services.companies.update(callerOf(request).storeHash, id, body) });
    },
  });

  add({
    method: 'DELETE',
    url: '/companies/:companyId',
    operationId: 'delete-companies-companyId',
    summary: 'Delete a Company (its users deleted, subsidiaries detached)',
    family: 'companies',
    async handler(request) {
      const id = companyIdOf(request);
      await request.services.companies.delete(callerOf(request).storeHash, id);
      return companiesOk({});
    },
  });

  add({
    method: 'PUT',
    url: '/companies/:companyId/status',
    operationId: 'put-companies-companyId-status',
    summary: "Set a Company's status",
    family: 'companies',
    async handler(request) {
      const id = companyIdOf(request);
      const body = companyBody(request.body);
      return companiesOk({ companyId: await request.services.companies.setStatus(callerOf(request).storeHash, id, body.companyStatus) });
    },
  });

  add({
    method: 'GET',
    url: '/companies/:companyId/subsidiaries',
    operationId: 'get-companies-companyId-subsidiaries',
    summary: "Get a Company's subsidiaries (nested)",
    family: 'hierarchy',
    async handler(request) {
      const id = companyIdOf(request, hierarchyNotFound);
      const paging = parsePaging(request.query as Query);
      const page = await request.services.companies.subsidiaries(callerOf(request).storeHash, id, paging);
      return { data: page.items.map(nodeObject), meta: { message: 'SUCCESS', pagination: { totalCount: page.totalCount, limit: paging.limit, offset: paging.offset } } };
    },
  });

  add({
    method: 'DELETE',
    url: '/companies/:companyId/subsidiaries/:childCompanyId',
    operationId: 'delete-companies-companyId-subsidiary',
    summary: 'Detach a direct subsidiary',
    family: 'hierarchy',
    async handler(request, reply) {
      const id = companyIdOf(request, hierarchyNotFound);
      const childText = (request.params as { childCompanyId?: string }).childCompanyId ?? '';
      const child = /^\d+$/.test(childText) && Number.isSafeInteger(Number(childText)) ? Number(childText) : undefined;
      await request.services.companies.detach(callerOf(request).storeHash, id, child);
      reply.code(204);
      return undefined;
    },
  });

  add({
    method: 'POST',
    url: '/companies/:companyId/parent',
    operationId: 'post-companies-companyId-parents',
    summary: 'Attach a Company to a parent',
    family: 'hierarchy',
    async handler(request, reply) {
      const id = companyIdOf(request, hierarchyNotFound);
      const body = request.body !== null && typeof request.body === 'object' && !Array.isArray(request.body) ? (request.body as Record<string, unknown>) : {};
      await request.services.companies.attach(callerOf(request).storeHash, id, body.parentCompanyId);
      reply.code(201);
      return { data: [], meta: { message: 'SUCCESS' } };
    },
  });

  add({
    method: 'GET',
    url: '/companies/:companyId/hierarchy',
    operationId: 'get-companies-companyId-hierarchy',
    summary: 'Get the whole hierarchy of a Company',
    family: 'hierarchy',
    async handler(request) {
      const { storeHash } = callerOf(request);
      await countHierarchyCall(request, storeHash);
      const id = companyIdOf(request, hierarchyNotFound);
      const paging = parsePaging(request.query as Query);
      const { root, totalCount } = await request.services.companies.hierarchy(storeHash, id, paging);
      return { data: [nodeObject(root)], meta: { message: 'SUCCESS', pagination: { totalCount, limit: paging.limit, offset: paging.offset } } };
    },
  });
}
