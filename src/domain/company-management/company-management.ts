import type { Kysely } from 'kysely';
import { emailKey, lockedForUpdate } from '../../db/dialect.js';
import { allocateIds } from '../../db/id-counters.js';
import { isStorableId } from '../../db/lookup-guards.js';
import type { DB } from '../../db/tables.js';
import { describeValue } from '../../shared/describe-value.js';
import { AppError } from '../../shared/errors.js';
import { findUserByEmail } from '../company-users/company-user-repository.js';
import { isValidEmail } from '../company-users/company-user-validation.js';
import type { CompanyNotice, ExtraField } from '../company-users/company-user-types.js';
import { derivedConfigDetails, type ExtraFieldConfigDetail, listDeclaredConfigDetails } from '../company-users/extra-field-declarations.js';
import type { ManagedUserWriter, ManagementKernel, PlannedUser } from '../company-users/management-users.js';
import { stableUuid } from '../company-users/stable-uuid.js';
import { checkExtraFieldValues, type DeclaredExtraField, lenientBoolean, lenientInteger, mergeExtraFieldsBounded } from '../company-users/management-user-validation.js';
import { commitWithEvents, type WorldEventInput } from '../domain-events.js';
import {
  type CompanyFields,
  type CompanyListFilters,
  type CompanyOrder,
  countManagedCompanies,
  deleteCompanyRows,
  findManagedCompany,
  insertManagedCompany,
  listCompaniesWithExtraValue,
  listCompanyExtraFieldNames,
  listCompanyUserIds,
  listHierarchyRows,
  listManagedCompanies,
  lockManagedCompany,
  type ManagedCompany,
  setCompanyParent,
  setCompanyStatus,
  updateManagedCompany,
  type HierarchyRow,
} from './company-management-repository.js';

/**
 * Companies as the B2B Management API v3 sees them (b2b-management-rest.md §5, §6): a store-level
 * caller creates, reads, updates, deletes and approves the store's Companies and arranges their
 * hierarchy. Company creation also creates its administrator through the Management user writer
 * (same rows, ids, caches and events as every other user write). Refusals carry the Companies
 * family's sentences (§5.11) as MANAGEMENT_COMPANY_* / MANAGEMENT_HIERARCHY_* AppErrors; the edge
 * shapes them.
 *
 * Events (§11): company.created / company.updated / company.deleted / company.status.updated in the
 * world's journal; notifications store/company/* for webhooks (none for a bulk create, §5.8).
 */
export interface CompanyNode {
  companyId: number;
  companyName: string;
  companyStatus: number;
  subsidiaries: CompanyNode[];
}

export type CompanyEventNotice = CompanyNotice;

export interface CompanyManagementDeps {
  kernel: ManagementKernel;
  writer: ManagedUserWriter;
}

export const MAX_LAYERS = 5;
export const MAX_HIERARCHY_SIZE = 500;
const MAX_BULK = 10;

const companyError = (message: string) => new AppError('MANAGEMENT_COMPANY_ERROR', message);
const notFound = () => new AppError('MANAGEMENT_COMPANY_NOT_FOUND');
const hierarchyNotFound = () => new AppError('MANAGEMENT_HIERARCHY_NOT_FOUND', 'Company does not exist.', { title: 'Parameter Error.' });

/** §5.11 labels and limits, in the order they are checked */
const LIMITS: readonly [keyof CompanyInput, string, number][] = [
  ['companyName', 'company name', 200],
  ['companyEmail', 'company email', 200],
  ['companyPhone', 'company phone', 50],
  ['addressLine1', 'address line 1', 200],
  ['addressLine2', 'address line 2', 200],
  ['city', 'city', 100],
  ['state', 'state', 50],
  ['country', 'country', 200],
  ['zipCode', 'zip code', 50],
  ['adminFirstName', 'admin first name', 100],
  ['adminLastName', 'admin last name', 100],
  ['adminEmail', 'admin email', 100],
  ['adminPhoneNumber', 'admin phone number', 100],
  ['uuid', 'UUID', 255],
];

const REQUIRED: readonly [keyof CompanyInput, string][] = [
  ['companyName', 'The company name is required.'],
  ['companyEmail', 'The company email is required.'],
  ['companyPhone', 'The company phone is required.'],
  ['country', 'The country is required.'],
  ['adminFirstName', 'The admin first name is required.'],
  ['adminLastName', 'The admin last name is required.'],
  ['adminEmail', 'The admin email is required.'],
];

type CompanyInput = Record<
  | 'companyName'
  | 'companyEmail'
  | 'companyPhone'
  | 'addressLine1'
  | 'addressLine2'
  | 'city'
  | 'state'
  | 'country'
  | 'zipCode'
  | 'adminFirstName'
  | 'adminLastName'
  | 'adminEmail'
  | 'adminPhoneNumber'
  | 'uuid',
  unknown
>;

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

const isBlank = (value: unknown) => value === undefined || value === null || (text(value) ?? '').trim() === '';

/** Company `extraFields` on input: an array of items, or (bulk create, §13 #7) one object. */
function extraFieldList(value: unknown): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? [value] : value;
}

export interface PlannedCompany {
  fields: CompanyFields;
  admin: PlannedUser;
  acceptCreationEmail: boolean;
}

export function createCompanyManagement(deps: CompanyManagementDeps) {
  const { kernel, writer } = deps;
  const db: Kysely<DB> = kernel.database.kysely;
  // webhook-style notifications after the commit, through the users' sink (it never throws)
  const notify = (event: CompanyEventNotice) => kernel.emit(event);

  /** §5.3 + §5.11: the first failing rule's sentence, or the planned Company and administrator. */
  async function planCompany(storeHash: string, body: Record<string, unknown>): Promise<PlannedCompany | { refusal: string }> {
    const input = body as CompanyInput;
    for (const [key, sentence] of REQUIRED) if (isBlank(input[key]) || text(input[key]) === undefined) return { refusal: sentence };
    if (!isValidEmail(text(input.companyEmail) ?? '')) return { refusal: 'The company email is invalid.' };
    if (!isValidEmail(text(input.adminEmail) ?? '')) return { refusal: 'The admin email is invalid.' };
    for (const [key, label, max] of LIMITS) {
      const value = input[key];
      if (value === undefined || value === null) continue;
      const t = text(value);
      if (t === undefined || t.length > max) return { refusal: `The ${label} may not be longer than ${max} characters.` };
      // U+0000 cannot be stored (PostgreSQL text) [ours]
      if (t.includes('\u0000')) return { refusal: `The ${label} is invalid.` };
    }
    const group = body.customerGroupId === undefined || body.customerGroupId === null ? 0 : lenientInteger(body.customerGroupId);
    if (group === undefined || !isStorableId(group)) return { refusal: 'The customer group ID is invalid.' };
    const origin = body.originChannelId === undefined || body.originChannelId === null ? undefined : lenientInteger(body.originChannelId);
    if (origin !== undefined && !isStorableId(origin)) return { refusal: 'The origin channel ID is invalid.' };
    if (body.originChannelId !== undefined && body.originChannelId !== null && origin === undefined) return { refusal: 'The origin channel ID is invalid.' };
    const storeChannels = await writer.storeChannelIds(storeHash);
    let channelIds: number[];
    if (body.channelIds === undefined || body.channelIds === null || (Array.isArray(body.channelIds) && body.channelIds.length === 0)) {
      const first = [...storeChannels].sort((a, b) => a - b)[0];
      channelIds = first === undefined ? [] : [first];
    } else {
      if (!Array.isArray(body.channelIds)) return { refusal: `The channel ${describeValue(body.channelIds)} does not exist.` };
      channelIds = [];
      for (const item of body.channelIds) {
        const id = lenientInteger(item);
        if (id === undefined || !storeChannels.has(id)) return { refusal: `The channel ${describeValue(item)} does not exist.` };
        if (!channelIds.includes(id)) channelIds.push(id);
      }
    }
    const companyDeclared = await writer.declaredFields(storeHash, 'company');
    const companyErrors: Record<string, string[] | Record<string, string[]>> = {};
    const extraFields = checkExtraFieldValues(companyErrors, extraFieldList(body.extraFields), companyDeclared, 'create');
    if (!extraFields) return { refusal: firstMessage(companyErrors) };
    const clash = await uniqueClash(storeHash, companyDeclared, extraFields);
    if (clash !== undefined) return { refusal: `The value of extra field "${clash}" must be unique.` };
    const userDeclared = await writer.declaredFields(storeHash, 'user');
    const userErrors: Record<string, string[] | Record<string, string[]>> = {};
    const userExtraFields = checkExtraFieldValues(userErrors, extraFieldList(body.userExtraFields), userDeclared, 'create');
    if (!userExtraFields) return { refusal: firstMessage(userErrors) };
    const acceptCreationEmail = lenientBoolean(body.acceptCreationEmail ?? body.acceptWelcomeEmail ?? false) ?? false;
    const str = (key: keyof CompanyInput) => text(input[key]) ?? '';
    return {
      fields: {
        name: str('companyName'),
        email: str('companyEmail').trim(),
        phone: str('companyPhone'),
        addressLine1: str('addressLine1'),
        addressLine2: str('addressLine2'),
        city: str('city'),
        state: str('state'),
        country: str('country'),
        zipCode: str('zipCode'),
        customerGroupId: group,
        uuid: str('uuid'),
        extraFields,
      },
      admin: {
        companyId: 0, // set once the Company's id is known
        email: str('adminEmail').trim(),
        firstName: str('adminFirstName'),
        lastName: str('adminLastName'),
        phone: input.adminPhoneNumber === undefined || input.adminPhoneNumber === null ? undefined : str('adminPhoneNumber'),
        role: 0,
        customRoleId: null,
        uuid: null,
        channelIds,
        originChannelId: origin === undefined ? (channelIds[0] ?? null) : origin === 0 ? null : origin,
        acceptWelcomeEmail: acceptCreationEmail,
        extraFields: userExtraFields,
      },
      acceptCreationEmail,
    };
  }

  async function insertPlanned(trx: Parameters<Parameters<typeof commitWithEvents>[2]>[0], storeHash: string, plan: PlannedCompany, events: WorldEventInput[], now: number) {
    const companyId = await allocateIds(trx, 'companies');
    await insertManagedCompany(trx, { id: companyId, storeHash, status: 1, fields: plan.fields, now });
    const created = await findManagedCompany(trx, storeHash, companyId);
    events.push({ type: 'company.created', subject: { storeHash, companyId }, before: null, after: created ?? null });
    const admin = await writer.insertPlanned(trx, storeHash, { ...plan.admin, companyId }, events, now);
    return { companyId, admin };
  }

  /** §8: the name of a unique Company extra field whose value another Company of the store holds */
  async function uniqueClash(storeHash: string, declared: readonly DeclaredExtraField[], fields: readonly ExtraField[], exceptCompanyId?: number): Promise<string | undefined> {
    for (const config of declared.filter((d) => d.isUnique)) {
      const field = fields.find((f) => f.fieldName.toLowerCase() === config.fieldName.toLowerCase() && f.fieldValue !== '');
      if (!field) continue;
      const holders = await listCompaniesWithExtraValue(db, storeHash, config.fieldName, field.fieldValue);
      if (holders.some((id) => id !== exceptCompanyId)) return config.fieldName;
    }
    return undefined;
  }

  async function readNodes(storeHash: string, from: Kysely<DB> = db): Promise<{ rows: HierarchyRow[]; children: Map<number | null, HierarchyRow[]> }> {
    const rows = await listHierarchyRows(from, storeHash);
    const children = new Map<number | null, HierarchyRow[]>();
    for (const row of rows) {
      const list = children.get(row.parentId) ?? [];
      list.push(row);
      children.set(row.parentId, list);
    }
    for (const list of children.values()) list.sort((a, b) => a.id - b.id);
    return { rows, children };
  }

  function nodeOf(row: HierarchyRow, children: Map<number | null, HierarchyRow[]>): CompanyNode {
    return { companyId: row.id, companyName: row.name, companyStatus: row.status, subsidiaries: (children.get(row.id) ?? []).map((c) => nodeOf(c, children)) };
  }

  function depthBelow(id: number, children: Map<number | null, HierarchyRow[]>): number {
    const kids = children.get(id) ?? [];
    return 1 + (kids.length === 0 ? 0 : Math.max(...kids.map((k) => depthBelow(k.id, children))));
  }

  function sizeOf(id: number, children: Map<number | null, HierarchyRow[]>): number {
    return 1 + (children.get(id) ?? []).reduce((n, k) => n + sizeOf(k.id, children), 0);
  }

  return {
    async list(storeHash: string, filters: CompanyListFilters, order: CompanyOrder, page: { limit: number; offset: number }, extraFieldFilter?: (fields: readonly ExtraField[]) => boolean) {
      if (extraFieldFilter) {
        // extra fields live in a JSON column: filtered here over the store's matching Companies
        const all = (await listManagedCompanies(db, storeHash, filters, order)).filter((c) => extraFieldFilter(c.extraFields));
        return { items: all.slice(page.offset, page.offset + page.limit), totalCount: all.length };
      }
      const totalCount = await countManagedCompanies(db, storeHash, filters);
      const items = page.offset >= totalCount ? [] : await listManagedCompanies(db, storeHash, filters, order, page);
      return { items, totalCount };
    },

    async get(storeHash: string, companyId: number): Promise<ManagedCompany> {
      const company = await findManagedCompany(db, storeHash, companyId);
      if (!company) throw notFound();
      return company;
    },

    async create(storeHash: string, body: Record<string, unknown>) {
      const plan = await planCompany(storeHash, body);
      if ('refusal' in plan) throw companyError(plan.refusal);
      if (await findUserByEmail(db, storeHash, plan.admin.email)) throw companyError(`Email already exists. ['${plan.admin.email}']`);
      const now = kernel.clock.now();
      const result = await writer.translateUnique(plan.admin.email, () =>
        commitWithEvents(kernel.database, kernel.events, (trx, events) => insertPlanned(trx, storeHash, plan, events, now)),
      ).catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'B2B_EMAIL_EXISTS') throw companyError(error.message);
        throw error;
      });
      notify({ type: 'store/company/created', storeHash, companyId: result.companyId, at: now });
      writer.afterCreate(storeHash, [result.admin], now);
      return { companyId: result.companyId, customerId: result.admin.customerId, customerGroupId: plan.fields.customerGroupId };
    },

    async createMany(storeHash: string, items: readonly unknown[]) {
      if (items.length > MAX_BULK) throw new AppError('PAYLOAD_TOO_LARGE', undefined, { companies: true });
      const plans: PlannedCompany[] = [];
      const invalid: { id: string; _detail: string }[] = [];
      for (const [index, item] of items.entries()) {
        const body = item !== null && typeof item === 'object' && !Array.isArray(item) ? (item as Record<string, unknown>) : undefined;
        const plan = body ? await planCompany(storeHash, body) : { refusal: 'The request body is invalid.' };
        if ('refusal' in plan) invalid.push({ id: String(index), _detail: plan.refusal });
        else plans.push(plan);
      }
      if (invalid.length > 0) throw new AppError('MANAGEMENT_COMPANY_ERROR', 'Company was not valid.', { data: { errors: invalid } });
      const conflicts: { id: string; _detail: string }[] = [];
      const seen = new Set<string>();
      for (const [index, plan] of plans.entries()) {
        const key = emailKey(plan.admin.email);
        if (seen.has(key) || (await findUserByEmail(db, storeHash, plan.admin.email))) conflicts.push({ id: String(index), _detail: `Email already exists. ['${plan.admin.email}']` });
        seen.add(key);
      }
      if (conflicts.length > 0) throw new AppError('MANAGEMENT_COMPANY_CONFLICT', undefined, { data: { errors: conflicts } });
      const now = kernel.clock.now();
      const results = await writer
        .translateUnique(plans[0]?.admin.email ?? '', () =>
          commitWithEvents(kernel.database, kernel.events, async (trx, events) => {
            const out = [];
            for (const plan of plans) out.push(await insertPlanned(trx, storeHash, plan, events, now));
            // §5.8: a bulk create fires no webhook (its Companies nor their admins); the journal keeps them
            for (const event of events) event.silent = true;
            return out;
          }),
        )
        .catch((error: unknown) => {
          if (error instanceof AppError && error.code === 'B2B_EMAIL_EXISTS') throw new AppError('MANAGEMENT_COMPANY_CONFLICT', undefined, { data: { errors: [{ id: '0', _detail: error.message }] } });
          throw error;
        });
      // §5.8: no store/company/created (and no user notifications) for a bulk create
      kernel.version.bump();
      for (const r of results) kernel.positions.onInsert(r.companyId, r.admin.userId, 0, r.admin.stamp);
      const ids = results.map((r) => r.companyId);
      return { companyIds: ids, batchId: stableUuid(storeHash, 'company-batch', ids.join(',')) };
    },

    async update(storeHash: string, companyId: number, body: Record<string, unknown>): Promise<number> {
      const current = await findManagedCompany(db, storeHash, companyId);
      if (!current) throw notFound();
      const next = await mergeUpdate(storeHash, current, body);
      return (await commitUpdates(storeHash, [{ current, next }]))[0] ?? companyId;
    },

    async updateMany(storeHash: string, items: readonly unknown[]) {
      if (items.length > MAX_BULK) throw new AppError('PAYLOAD_TOO_LARGE', undefined, { companies: true });
      const targets: { current: ManagedCompany; body: Record<string, unknown> }[] = [];
      for (const item of items) {
        const body = item !== null && typeof item === 'object' && !Array.isArray(item) ? (item as Record<string, unknown>) : {};
        const id = lenientInteger(body.companyId);
        const current = id === undefined ? undefined : await findManagedCompany(db, storeHash, id);
        if (!current) throw notFound();
        targets.push({ current, body });
      }
      const planned: { current: ManagedCompany; next: CompanyFields }[] = [];
      const invalid: { id: string; _detail: string }[] = [];
      for (const { current, body } of targets) {
        try {
          planned.push({ current, next: await mergeUpdate(storeHash, current, body) });
        } catch (error) {
          if (error instanceof AppError && error.code === 'MANAGEMENT_COMPANY_ERROR') invalid.push({ id: String(current.id), _detail: error.message });
          else throw error;
        }
      }
      if (invalid.length > 0) throw new AppError('MANAGEMENT_COMPANY_ERROR', 'Company was not valid.', { data: { errors: invalid } });
      await commitUpdates(storeHash, planned);
    },

    async delete(storeHash: string, companyId: number): Promise<void> {
      const company = await findManagedCompany(db, storeHash, companyId);
      if (!company) throw notFound();
      const now = kernel.clock.now();
      const { children } = await commitWithEvents(kernel.database, kernel.events, async (trx, events) => {
        await lockHierarchy(trx, storeHash);
        const before = await lockManagedCompany(trx, storeHash, companyId);
        if (!before) throw notFound();
        const userIds = await listCompanyUserIds(trx, companyId);
        const kids = (await listHierarchyRows(trx, storeHash)).filter((r) => r.parentId === companyId);
        // users removed with their Company are journal events only (no store/company/user/deleted, webhooks.md §2)
        for (const userId of userIds) events.push({ type: 'company.user.deleted', subject: { storeHash, companyId, userId }, before: { id: userId }, after: null, silent: true });
        await deleteCompanyRows(trx, companyId);
        events.push({ type: 'company.deleted', subject: { storeHash, companyId }, before, after: null });
        for (const kid of kids) {
          await setCompanyParent(trx, kid.id, null, now);
          events.push({ type: 'company.updated', subject: { storeHash, companyId: kid.id }, before: { parentId: companyId }, after: { parentId: null } });
        }
        return { children: kids };
      });
      kernel.version.bump();
      notify({ type: 'store/company/deleted', storeHash, companyId, at: now });
      for (const kid of children) notify({ type: 'store/company/updated', storeHash, companyId: kid.id, at: now });
    },

    async setStatus(storeHash: string, companyId: number, value: unknown): Promise<number> {
      const company = await findManagedCompany(db, storeHash, companyId);
      if (!company) throw notFound();
      const status = lenientInteger(value);
      if (status === undefined || status < 0 || status > 3) throw companyError('The company status is invalid.');
      if (status === company.status) return companyId;
      const now = kernel.clock.now();
      await commitWithEvents(kernel.database, kernel.events, async (trx, events) => {
        const before = await lockManagedCompany(trx, storeHash, companyId);
        if (!before) throw notFound();
        await setCompanyStatus(trx, companyId, status, Math.max(now, before.updatedAt));
        const after = await findManagedCompany(trx, storeHash, companyId);
        events.push({ type: 'company.updated', subject: { storeHash, companyId }, before, after: after ?? null });
        events.push({ type: 'company.status.updated', subject: { storeHash, companyId }, before: { companyStatus: before.status }, after: { companyStatus: status } });
      });
      kernel.version.bump();
      notify({ type: 'store/company/updated', storeHash, companyId, at: now });
      notify({ type: 'store/company/statusUpdated', storeHash, companyId, at: now });
      return companyId;
    },

    async extraFieldConfigs(storeHash: string): Promise<ExtraFieldConfigDetail[]> {
      const declared = await listDeclaredConfigDetails(db, storeHash, 'company');
      return declared.length > 0 ? declared : derivedConfigDetails(storeHash, 'company', await listCompanyExtraFieldNames(db, storeHash));
    },

    /** declared Company extra-field configurations by name (for labels and data types in Company objects) */
    async declaredCompanyFields(storeHash: string) {
      return writer.declaredFields(storeHash, 'company');
    },

    // ------------------------------------------------------------------ hierarchy (§6)
    async subsidiaries(storeHash: string, companyId: number, page: { limit: number; offset: number }) {
      const { rows, children } = await readNodes(storeHash);
      if (!isStorableId(companyId) || !rows.some((r) => r.id === companyId)) throw hierarchyNotFound();
      const direct = children.get(companyId) ?? [];
      return { items: direct.slice(page.offset, page.offset + page.limit).map((r) => nodeOf(r, children)), totalCount: direct.length };
    },

    async hierarchy(storeHash: string, companyId: number, page: { limit: number; offset: number }) {
      const { rows, children } = await readNodes(storeHash);
      const byId = new Map(rows.map((r) => [r.id, r]));
      let node = isStorableId(companyId) ? byId.get(companyId) : undefined;
      if (!node) throw hierarchyNotFound();
      const seen = new Set<number>();
      while (node.parentId !== null && !seen.has(node.id)) {
        seen.add(node.id);
        const parent = byId.get(node.parentId);
        if (!parent) break;
        node = parent;
      }
      const direct = children.get(node.id) ?? [];
      const root: CompanyNode = { companyId: node.id, companyName: node.name, companyStatus: node.status, subsidiaries: direct.slice(page.offset, page.offset + page.limit).map((r) => nodeOf(r, children)) };
      return { root, totalCount: direct.length };
    },

    async detach(storeHash: string, companyId: number, childId: number | undefined): Promise<void> {
      const { rows } = await readNodes(storeHash);
      if (!isStorableId(companyId) || !rows.some((r) => r.id === companyId)) throw hierarchyNotFound();
      const child = childId === undefined ? undefined : rows.find((r) => r.id === childId);
      if (!child || child.parentId !== companyId) throw new AppError('MANAGEMENT_HIERARCHY_ERROR', 'Invalid child company ID.', { title: 'Parameter error.' });
      await moveCompany(storeHash, child.id, null);
    },

    async attach(storeHash: string, companyId: number, parentValue: unknown): Promise<void> {
      const refuse = (message: string) => new AppError('MANAGEMENT_HIERARCHY_ERROR', message, { title: 'Parameter Error.' });
      const now = kernel.clock.now();
      // the checks and the move in one transaction holding the store's hierarchy lock: two moves at
      // once can neither make a cycle nor pass the layer and size limits together
      const moved = await commitWithEvents(kernel.database, kernel.events, async (trx, events) => {
        await lockHierarchy(trx, storeHash);
        const { rows, children } = await readNodes(storeHash, trx);
        if (!isStorableId(companyId) || !rows.some((r) => r.id === companyId)) throw hierarchyNotFound();
        const parentId = lenientInteger(parentValue);
        const byId = new Map(rows.map((r) => [r.id, r]));
        if (parentId === undefined || parentId === companyId || !byId.has(parentId)) throw refuse('Invalid parent company ID.');
        // the parent may not be the Company itself or below it
        let up: number | null = parentId;
        const seen = new Set<number>();
        while (up !== null && !seen.has(up)) {
          if (up === companyId) throw refuse('The parent company cannot be a subsidiary of the current company.');
          seen.add(up);
          up = byId.get(up)?.parentId ?? null;
        }
        // layers: the parent's depth from its root plus the moved subtree's height
        let parentDepth = 1;
        let root = parentId;
        for (let p = byId.get(parentId)?.parentId ?? null; p !== null; p = byId.get(p)?.parentId ?? null) {
          parentDepth += 1;
          root = p;
          if (parentDepth > MAX_HIERARCHY_SIZE) break;
        }
        if (parentDepth + depthBelow(companyId, children) > MAX_LAYERS) throw refuse('The parent company has reached the maximum layer.');
        const current = byId.get(companyId);
        let own = companyId;
        for (let p = current?.parentId ?? null; p !== null && p !== own; p = byId.get(p)?.parentId ?? null) own = p;
        const size = sizeOf(root, children) + (own === root ? 0 : sizeOf(companyId, children));
        if (size > MAX_HIERARCHY_SIZE) throw refuse('The hierarchy has reached the maximum number of companies.');
        if (current?.parentId === parentId) return false;
        const before = await lockManagedCompany(trx, storeHash, companyId);
        if (!before) throw hierarchyNotFound();
        await setCompanyParent(trx, companyId, parentId, Math.max(now, before.updatedAt));
        events.push({ type: 'company.updated', subject: { storeHash, companyId }, before: { parentId: before.parentId }, after: { parentId } });
        return true;
      });
      if (!moved) return;
      kernel.version.bump();
      notify({ type: 'store/company/updated', storeHash, companyId, at: now });
    },
  };

  async function moveCompany(storeHash: string, companyId: number, parentId: number | null): Promise<void> {
    const now = kernel.clock.now();
    await commitWithEvents(kernel.database, kernel.events, async (trx, events) => {
      await lockHierarchy(trx, storeHash);
      const before = await lockManagedCompany(trx, storeHash, companyId);
      if (!before) throw hierarchyNotFound();
      await setCompanyParent(trx, companyId, parentId, Math.max(now, before.updatedAt));
      events.push({ type: 'company.updated', subject: { storeHash, companyId }, before: { parentId: before.parentId }, after: { parentId } });
    });
    kernel.version.bump();
    notify({ type: 'store/company/updated', storeHash, companyId, at: now });
  }

  /** §5.5: a partial update merged over the current values (first refusal's sentence thrown). */
  async function mergeUpdate(storeHash: string, current: ManagedCompany, body: Record<string, unknown>): Promise<CompanyFields> {
    const required: [string, keyof CompanyFields, string][] = [
      ['companyName', 'name', 'The company name is required.'],
      ['companyEmail', 'email', 'The company email is required.'],
      ['companyPhone', 'phone', 'The company phone is required.'],
      ['country', 'country', 'The country is required.'],
    ];
    for (const [wire, , sentence] of required) if (body[wire] !== undefined && (isBlank(body[wire]) || text(body[wire]) === undefined)) throw companyError(sentence);
    if (body.companyEmail !== undefined && !isValidEmail(text(body.companyEmail) ?? '')) throw companyError('The company email is invalid.');
    const wireOf: Partial<Record<keyof CompanyInput, keyof CompanyFields>> = {
      companyName: 'name',
      companyEmail: 'email',
      companyPhone: 'phone',
      addressLine1: 'addressLine1',
      addressLine2: 'addressLine2',
      city: 'city',
      state: 'state',
      country: 'country',
      zipCode: 'zipCode',
      uuid: 'uuid',
    };
    const next: CompanyFields = {
      name: current.name,
      email: current.email,
      phone: current.phone,
      addressLine1: current.addressLine1,
      addressLine2: current.addressLine2,
      city: current.city,
      state: current.state,
      country: current.country,
      zipCode: current.zipCode,
      customerGroupId: current.customerGroupId,
      uuid: current.uuid,
      extraFields: current.extraFields,
    };
    for (const [wire, label, max] of LIMITS) {
      const field = wireOf[wire];
      if (!field || body[wire] === undefined) continue;
      const value = body[wire] === null ? '' : text(body[wire]);
      if (value === undefined || value.length > max) throw companyError(`The ${label} may not be longer than ${max} characters.`);
      if (value.includes('\u0000')) throw companyError(`The ${label} is invalid.`);
      (next as unknown as Record<string, unknown>)[field] = field === 'email' ? value.trim() : value;
    }
    if (body.customerGroupId !== undefined) {
      const group = body.customerGroupId === null ? 0 : lenientInteger(body.customerGroupId);
      if (group === undefined || !isStorableId(group)) throw companyError('The customer group ID is invalid.');
      next.customerGroupId = group;
    }
    if (body.extraFields !== undefined && body.extraFields !== null) {
      const errors: Record<string, string[] | Record<string, string[]>> = {};
      const declared = await writer.declaredFields(storeHash, 'company');
      const changes = checkExtraFieldValues(errors, extraFieldList(body.extraFields), declared, 'update');
      if (!changes) throw companyError(firstMessage(errors));
      const clash = await uniqueClash(storeHash, declared, changes, current.id);
      if (clash !== undefined) throw companyError(`The value of extra field "${clash}" must be unique.`);
      const merged = mergeExtraFieldsBounded(current.extraFields, changes);
      if (!merged) throw companyError('Ensure this field has no more than 100 elements.');
      next.extraFields = merged;
    }
    return next;
  }

  async function commitUpdates(storeHash: string, planned: readonly { current: ManagedCompany; next: CompanyFields }[]): Promise<number[]> {
    const changed = planned.filter(({ current, next }) => !sameFields(current, next));
    if (changed.length === 0) return planned.map((p) => p.current.id);
    const now = kernel.clock.now();
    await commitWithEvents(kernel.database, kernel.events, async (trx, events) => {
      for (const { current, next } of changed) {
        const before = await lockManagedCompany(trx, storeHash, current.id);
        if (!before) throw notFound();
        await updateManagedCompany(trx, current.id, next, Math.max(now, before.updatedAt));
        const after = await findManagedCompany(trx, storeHash, current.id);
        events.push({ type: 'company.updated', subject: { storeHash, companyId: current.id }, before, after: after ?? null });
      }
    });
    kernel.version.bump();
    for (const { current } of changed) notify({ type: 'store/company/updated', storeHash, companyId: current.id, at: now });
    return planned.map((p) => p.current.id);
  }
}

export type CompanyManagement = ReturnType<typeof createCompanyManagement>;

/** One hierarchy change at a time per store: the store's row stays locked until the transaction ends (PostgreSQL; SQLite has one writer). */
async function lockHierarchy(trx: Kysely<DB>, storeHash: string): Promise<void> {
  await lockedForUpdate(trx, trx.selectFrom('b2b_stores').select('store_hash').where('store_hash', '=', storeHash)).executeTakeFirst();
}

function sameFields(current: ManagedCompany, next: CompanyFields): boolean {
  return (
    current.name === next.name &&
    current.email === next.email &&
    current.phone === next.phone &&
    current.addressLine1 === next.addressLine1 &&
    current.addressLine2 === next.addressLine2 &&
    current.city === next.city &&
    current.state === next.state &&
    current.country === next.country &&
    current.zipCode === next.zipCode &&
    current.customerGroupId === next.customerGroupId &&
    current.uuid === next.uuid &&
    JSON.stringify(current.extraFields) === JSON.stringify(next.extraFields)
  );
}

function firstMessage(errors: Record<string, string[] | Record<string, string[]>>): string {
  const value = errors.extraFields;
  if (Array.isArray(value) && value[0] !== undefined) return value[0];
  return 'The request body is invalid.';
}

