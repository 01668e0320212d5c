import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database.js';
import type { DataVersion } from '../../db/data-version.js';
import { isUniqueViolation } from '../../db/db-errors.js';
import { emailKey, escapeLike, ilike } from '../../db/dialect.js';
import { allocateIds } from '../../db/id-counters.js';
import { isStorableId, isStorableStoreHash } from '../../db/lookup-guards.js';
import type { DB } from '../../db/tables.js';
import type { Clock } from '../../shared/clock.js';
import { AppError } from '../../shared/errors.js';
import { adjustUserCount, findCompany, type UserListStamp } from '../companies/company-repository.js';
import { findRoleSummary } from '../company-roles/company-role-service.js';
import { isPredefinedRoleId } from '../company-roles/role-defaults.js';
import { customerProfileUpdate, findCustomerByEmail, insertCustomer, updateCustomerProfile } from '../customers/customer-repository.js';
import { commitWithEvents, type EventSink, type WorldEventInput } from '../domain-events.js';
import type { UserPositionCache } from './company-user-positions.js';
import {
  changesUser,
  deleteUserRow,
  findUserByCustomerId,
  findUserByEmail,
  findUserById,
  insertUser,
  parseExtraFields,
  readUserSnapshot,
  snapshotOf,
  updateUserWith,
} from './company-user-repository.js';
import type { CompanyUser, CompanyUserEventSink, ExtraField } from './company-user-types.js';
import { MAX_FIELD_LENGTH } from './company-user-validation.js';
import { readExtraFieldConfigs } from './extra-field-configs.js';
import { derivedConfigDetails, type ExtraFieldConfigDetail, listDeclaredConfigDetails, parseStringList } from './extra-field-declarations.js';
import {
  countManagementUsers,
  listManagementUsers,
  listStoreChannels,
  listUserChannelIds,
  type ManagementUserFilters,
  replaceUserChannels,
  setCustomerOriginChannel,
  type StoreChannel,
} from './management-user-repository.js';
import {
  addFieldError,
  checkChannelIds,
  checkExtraFieldValues,
  checkManagementEmail,
  checkText,
  type DeclaredExtraField,
  lenientBoolean,
  lenientInteger,
  type ManagementFieldErrors,
  managementMessages as m,
  MAX_UUID_LENGTH,
  mergeExtraFieldsBounded,
  pythonType,
} from './management-user-validation.js';

/**
 * Company users as the B2B Management API v3 sees them (b2b-management-rest.md §4): a store-level
 * caller (an API account or a legacy authToken, checked by the edge) that may read and write every
 * Company user of its store, whatever the Company's status, with the Management API's own value
 * rules and texts (§4.10). The same rows, id counters, e-mail uniqueness, events and caches as the
 * storefront service: it is built by `createCompanyUserService` and shares its write bookkeeping
 * (positions, data version, notifications) through `ManagementKernel`.
 *
 * Errors: B2B_PARAMETER_ERROR (details.fields: field → messages, field names as the domain's, `phone`
 * for the wire's `phoneNumber`; bulk: index → such a map), B2B_EMAIL_EXISTS / B2B_LOGIC_ERROR /
 * B2B_LAST_USER (logical, 422), B2B_USER_NOT_FOUND (404).
 */
export interface ManagedUser {
  user: CompanyUser;
  /** the user's channel set, in channel id order */
  channels: StoreChannel[];
}

export type { ExtraFieldConfigDetail } from './extra-field-declarations.js';

export interface NewUserIds {
  userId: number;
  bcId: number;
}

export interface ManagementUserOps {
  list(storeHash: string, filters: ManagementUserFilters, page: { limit: number; offset: number }): Promise<{ items: ManagedUser[]; totalCount: number }>;
  get(storeHash: string, userId: number): Promise<ManagedUser>;
  getByCustomer(storeHash: string, customerId: number): Promise<ManagedUser>;
  create(storeHash: string, body: Record<string, unknown>): Promise<NewUserIds>;
  /** all-or-nothing; errors keyed by item index */
  createMany(storeHash: string, items: readonly unknown[]): Promise<NewUserIds[]>;
  update(storeHash: string, userId: number, body: Record<string, unknown>): Promise<ManagedUser>;
  delete(storeHash: string, userId: number): Promise<number>;
  extraFieldConfigs(storeHash: string): Promise<ExtraFieldConfigDetail[]>;
}

/** What the storefront service shares with these operations (one set of caches and notifications). */
export interface ManagementKernel {
  database: Database;
  clock: Clock;
  events: EventSink | undefined;
  emit: CompanyUserEventSink;
  positions: UserPositionCache;
  version: DataVersion;
}

const SUPER_ADMIN = 3;

/** the order of §4.10 (domain names; the edge renames `phone`) */
const FIELD_ORDER = ['firstName', 'lastName', 'email', 'phone', 'companyId', 'role', 'companyRoleId', 'uuid', 'channelIds', 'originChannelId', 'acceptWelcomeEmail', 'extraFields'];

function ordered(errors: ManagementFieldErrors): ManagementFieldErrors {
  const out: ManagementFieldErrors = {};
  for (const key of FIELD_ORDER) if (errors[key] !== undefined) out[key] = errors[key] as string[];
  for (const [key, value] of Object.entries(errors)) if (!(key in out)) out[key] = value;
  return out;
}

function parameterError(fields: Record<string, unknown>): AppError {
  return new AppError('B2B_PARAMETER_ERROR', undefined, { fields });
}

function emailExists(email: string): AppError {
  return new AppError('B2B_EMAIL_EXISTS', `Email already exists. ['${email}']`);
}

/** One user as a create will write it, checked. */
export interface PlannedUser {
  companyId: number;
  email: string;
  firstName: string;
  lastName: string;
  phone: string | undefined;
  role: number;
  customRoleId: number | null;
  uuid: string | null;
  channelIds: number[];
  originChannelId: number | null;
  acceptWelcomeEmail: boolean;
  extraFields: ExtraField[];
}

/**
 * Writing Company users the Management way, shared by the users routes and by Company creation
 * (its administrator): the checks of one create body, the insert inside a transaction, and the
 * bookkeeping after the commit (caches, notifications).
 */
export type ManagedUserWriter = ReturnType<typeof createManagedUserWriter>;

export function createManagedUserWriter(kernel: ManagementKernel) {
  const db: Kysely<DB> = kernel.database.kysely;

  async function declaredFields(storeHash: string, kind: 'user' | 'company' = 'user'): Promise<DeclaredExtraField[]> {
    const rows = await db
      .selectFrom('b2b_extra_field_configs')
      .selectAll()
      .where('store_hash', '=', storeHash)
      .where('kind', '=', kind)
      .orderBy('position')
      .execute();
    return rows.map((r) => ({
      fieldName: r.field_name,
      fieldType: Number(r.field_type),
      isRequired: Number(r.is_required) === 1,
      isUnique: Number(r.is_unique) === 1,
      maximumLength: r.maximum_length,
      numberOfRows: r.number_of_rows,
      maximumValue: r.maximum_value,
      listOfValue: parseStringList(r.list_of_value),
    }));
  }

  async function withChannels(storeHash: string, users: CompanyUser[], known?: StoreChannel[]): Promise<ManagedUser[]> {
    if (users.length === 0) return [];
    const [storeChannels, declared] = await Promise.all([known ?? listStoreChannels(db, storeHash), declaredFields(storeHash)]);
    const rank = new Map(declared.map((d, i) => [d.fieldName, i]));
    // §4.1: extra fields in configuration order, then by name
    const byConfig = (a: ExtraField, b: ExtraField) =>
      (rank.get(a.fieldName) ?? Number.MAX_SAFE_INTEGER) - (rank.get(b.fieldName) ?? Number.MAX_SAFE_INTEGER) || (a.fieldName < b.fieldName ? -1 : a.fieldName > b.fieldName ? 1 : 0);
    const byId = new Map(storeChannels.map((c) => [c.id, c]));
    const sets = await listUserChannelIds(db, users.map((u) => u.id));
    const first = storeChannels[0]?.id;
    return users.map((user) => {
      const ids = sets.get(user.id) ?? [user.channelId ?? first].filter((id): id is number => id !== undefined);
      const channels = ids.map((id) => byId.get(id) ?? { id, name: id === 1 ? 'Default Storefront' : `Channel ${id}`, iconUrl: storeChannels[0]?.iconUrl ?? '' });
      return { user: { ...user, extraFields: [...user.extraFields].sort(byConfig) }, channels };
    });
  }

  async function one(storeHash: string, user: CompanyUser | undefined): Promise<ManagedUser> {
    if (!user || user.role === SUPER_ADMIN || user.storeHash !== storeHash) throw new AppError('B2B_USER_NOT_FOUND');
    const [managed] = await withChannels(storeHash, [user]);
    if (!managed) throw new AppError('B2B_USER_NOT_FOUND');
    return managed;
  }

  /** The field rules of one create body (§4.3, §4.10 POST column); errors in §4.10's key order. */
  async function planCreate(storeHash: string, body: Record<string, unknown>, storeChannels: ReadonlySet<number>, declared: readonly DeclaredExtraField[]): Promise<{ errors?: ManagementFieldErrors; plan?: PlannedUser; logical?: AppError }> {
    const errors: ManagementFieldErrors = {};
    const firstName = checkText(errors, 'firstName', body.firstName, { required: true, max: MAX_FIELD_LENGTH, allowBlank: false });
    const lastName = checkText(errors, 'lastName', body.lastName, { required: true, max: MAX_FIELD_LENGTH, allowBlank: false });
    const email = checkManagementEmail(errors, body.email, true, m.emailOnCreate);
    const phone = body.phoneNumber === undefined ? undefined : checkText(errors, 'phone', body.phoneNumber, { required: false, max: MAX_FIELD_LENGTH, allowBlank: true });
    let companyId: number | undefined;
    if (body.companyId === undefined || body.companyId === null) addFieldError(errors, 'companyId', m.null);
    else {
      companyId = lenientInteger(body.companyId);
      if (companyId === undefined) addFieldError(errors, 'companyId', m.integer);
      else if (!(await findCompany(db, storeHash, companyId))) {
        addFieldError(errors, 'companyId', m.pk(companyId));
        companyId = undefined;
      }
    }
    const hasCompanyRole = body.companyRoleId !== undefined && body.companyRoleId !== null;
    let role: { role: number; customRoleId: number | null } | undefined;
    if (body.role !== undefined && body.role !== null && !hasCompanyRole) {
      const value = lenientInteger(body.role);
      if (value === undefined || !isPredefinedRoleId(value)) addFieldError(errors, 'role', m.choice(body.role));
      else role = { role: value, customRoleId: null };
    }
    if (hasCompanyRole) role = await checkCompanyRole(errors, storeHash, body.companyRoleId);
    const uuid = body.uuid === undefined || body.uuid === null ? null : (checkText(errors, 'uuid', body.uuid, { required: false, max: MAX_UUID_LENGTH, allowBlank: true }) ?? null);
    const channelIds = checkChannelIds(errors, body.channelIds, storeChannels);
    let originChannelId: number | undefined;
    if (body.originChannelId !== undefined && body.originChannelId !== null) {
      originChannelId = lenientInteger(body.originChannelId);
      if (originChannelId === undefined || originChannelId < 0) addFieldError(errors, 'originChannelId', m.integer);
      else if (originChannelId !== 0 && channelIds !== undefined && !channelIds.includes(originChannelId)) addFieldError(errors, 'originChannelId', m.originChannel);
    }
    let acceptWelcomeEmail = false;
    if (body.acceptWelcomeEmail !== undefined && body.acceptWelcomeEmail !== null) {
      const value = lenientBoolean(body.acceptWelcomeEmail);
      if (value === undefined) addFieldError(errors, 'acceptWelcomeEmail', m.boolean);
      else acceptWelcomeEmail = value;
    }
    const extraFields = checkExtraFieldValues(errors, body.extraFields, declared, 'create');
    if (Object.keys(errors).length > 0) return { errors: ordered(errors) };
    if (!role) return { errors: { non_field_errors: [m.mustHaveRole] } };
    if (companyId === undefined || firstName === undefined || lastName === undefined || email === undefined || extraFields === undefined) {
      throw new AppError('INTERNAL', 'create user: a checked field is missing');
    }
    if (channelIds === undefined || channelIds.length === 0) return { logical: new AppError('B2B_LOGIC_ERROR', m.noChannel) };
    const origin = originChannelId === undefined ? (channelIds[0] ?? null) : originChannelId === 0 ? null : originChannelId;
    return {
      plan: { companyId, email, firstName, lastName, phone, role: role.role, customRoleId: role.customRoleId, uuid: uuid === '' ? null : uuid, channelIds, originChannelId: origin, acceptWelcomeEmail, extraFields },
    };
  }

  async function checkCompanyRole(errors: ManagementFieldErrors, storeHash: string, value: unknown): Promise<{ role: number; customRoleId: number | null } | undefined> {
    const id = lenientInteger(value);
    if (id === undefined) {
      addFieldError(errors, 'companyRoleId', m.integer);
      return undefined;
    }
    if (isPredefinedRoleId(id)) return { role: id, customRoleId: null };
    if (!isStorableId(id) || !(await findRoleSummary(db, storeHash, id))) {
      addFieldError(errors, 'companyRoleId', m.pk(id));
      return undefined;
    }
    return { role: 2, customRoleId: id };
  }

  /** §8: a unique extra field's value held by another user of the store */
  async function uniqueClash(storeHash: string, declared: readonly DeclaredExtraField[], fields: readonly ExtraField[], exceptUserId?: number): Promise<string | undefined> {
    const unique = declared.filter((d) => d.isUnique);
    if (unique.length === 0) return undefined;
    for (const config of unique) {
      const field = fields.find((f) => f.fieldName === config.fieldName && f.fieldValue !== '');
      if (!field) continue;
      const rows = await db
        .selectFrom('company_users')
        .select(['id', 'extra_fields'])
        .where('store_hash', '=', storeHash)
        .where((eb) => ilike(db, eb.ref('extra_fields'), `%${escapeLike(JSON.stringify(field.fieldValue).slice(1, -1))}%`))
        .execute();
      for (const row of rows) {
        if (Number(row.id) === exceptUserId) continue;
        const values = parseExtraFields(row.extra_fields);
        if (values.some((v) => v.fieldName === config.fieldName && v.fieldValue === field.fieldValue)) return config.fieldName;
      }
    }
    return undefined;
  }

  /** Inserts one planned user inside `trx` (customer linked or made, channels, counter, events). */
  async function insertPlanned(trx: Transaction<DB>, storeHash: string, plan: PlannedUser, events: WorldEventInput[], now: number) {
    // the id counter first, as on every create path (lock order, see company-user-service)
    const firstId = await allocateIds(trx, 'b2b');
    const customer = await findCustomerByEmail(trx, storeHash, plan.email);
    let customerId: number;
    let userId: number;
    let newCustomer = false;
    if (customer) {
      customerId = customer.id;
      userId = firstId;
      await updateCustomerProfile(trx, storeHash, customerId, { email: customer.email, firstName: plan.firstName, lastName: plan.lastName, phone: plan.phone ?? customer.phone }, now);
      if (plan.originChannelId !== null) await setCustomerOriginChannel(trx, storeHash, customerId, plan.originChannelId);
    } else {
      customerId = firstId;
      newCustomer = true;
      await insertCustomer(trx, { id: customerId, storeHash, email: plan.email, firstName: plan.firstName, lastName: plan.lastName, phone: plan.phone ?? '', originChannelId: plan.originChannelId, now });
      userId = await allocateIds(trx, 'b2b');
    }
    await insertUser(trx, {
      id: userId,
      storeHash,
      companyId: plan.companyId,
      customerId,
      email: plan.email,
      firstName: plan.firstName,
      lastName: plan.lastName,
      phone: plan.phone ?? '',
      role: plan.role,
      customRoleId: plan.customRoleId,
      uuid: plan.uuid,
      channelId: plan.originChannelId ?? plan.channelIds[0] ?? null,
      extraFields: plan.extraFields,
      now,
    });
    await replaceUserChannels(trx, storeHash, userId, plan.channelIds);
    const stamp = await adjustUserCount(trx, plan.companyId, 1, now);
    const created = await findUserById(trx, storeHash, userId);
    if (!created) throw new AppError('INTERNAL');
    if (newCustomer) {
      events.push({ type: 'customer.created', subject: { storeHash, customerId }, before: null, after: { id: customerId, email: plan.email, firstName: plan.firstName, lastName: plan.lastName } });
    }
    events.push({ type: 'company.user.created', subject: { storeHash, companyId: plan.companyId, userId }, before: null, after: snapshotOf(created) });
    return { userId, customerId, stamp, created, plan };
  }

  function afterCreate(storeHash: string, results: readonly { userId: number; customerId: number; stamp: UserListStamp | undefined; created: CompanyUser; plan: PlannedUser }[], now: number) {
    kernel.version.bump();
    for (const r of results) kernel.positions.onInsert(r.plan.companyId, r.userId, r.plan.role, r.stamp);
    for (const r of results) {
      kernel.emit({ type: 'store/company/user/created', storeHash, companyId: r.plan.companyId, userId: r.userId, at: now });
      if (r.plan.acceptWelcomeEmail) {
        kernel.emit({ type: 'user.welcome', storeHash, companyId: r.plan.companyId, userId: r.userId, customerId: r.customerId, email: r.created.email, at: now });
      }
    }
  }

  async function translateUnique<T>(email: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error)) throw emailExists(email);
      throw error;
    }
  }

  async function storeChannelIds(storeHash: string): Promise<Set<number>> {
    return new Set((await listStoreChannels(db, storeHash)).map((c) => c.id));
  }

  return { declaredFields, withChannels, one, planCreate, checkCompanyRole, uniqueClash, insertPlanned, afterCreate, translateUnique, storeChannelIds };
}

export function createManagementUserOps(kernel: ManagementKernel, writer: ManagedUserWriter = createManagedUserWriter(kernel)): ManagementUserOps {
  const db: Kysely<DB> = kernel.database.kysely;
  const { declaredFields, withChannels, one, planCreate, checkCompanyRole, uniqueClash, insertPlanned, afterCreate, translateUnique, storeChannelIds } = writer;
  return {
    async list(storeHash, filters, page) {
      const channels = await listStoreChannels(db, storeHash);
      const first = channels[0]?.id ?? null;
      const totalCount = await countManagementUsers(db, storeHash, filters, first);
      const users = page.offset >= totalCount ? [] : await listManagementUsers(db, storeHash, filters, page, first);
      return { items: await withChannels(storeHash, users, channels), totalCount };
    },

    async get(storeHash, userId) {
      return one(storeHash, isStorableStoreHash(storeHash) ? await findUserById(db, storeHash, userId) : undefined);
    },

    async getByCustomer(storeHash, customerId) {
      return one(storeHash, isStorableStoreHash(storeHash) ? await findUserByCustomerId(db, storeHash, customerId) : undefined);
    },

    async create(storeHash, body) {
      const [channels, declared] = await Promise.all([storeChannelIds(storeHash), declaredFields(storeHash)]);
      const checked = await planCreate(storeHash, body, channels, declared);
      if (checked.errors) throw parameterError(checked.errors);
      if (checked.logical) throw checked.logical;
      const plan = checked.plan as PlannedUser;
      if (await findUserByEmail(db, storeHash, plan.email)) throw emailExists(plan.email);
      const clash = await uniqueClash(storeHash, declared, plan.extraFields);
      if (clash !== undefined) throw parameterError({ extraFields: [m.extraFieldUnique(clash)] });
      const now = kernel.clock.now();
      const result = await translateUnique(plan.email, () => commitWithEvents(kernel.database, kernel.events, (trx, events) => insertPlanned(trx, storeHash, plan, events, now)));
      afterCreate(storeHash, [result], now);
      return { userId: result.userId, bcId: result.customerId };
    },

    async createMany(storeHash, items) {
      const [channels, declared] = await Promise.all([storeChannelIds(storeHash), declaredFields(storeHash)]);
      const plans: PlannedUser[] = [];
      const fieldErrors: Record<string, unknown> = {};
      const logical: AppError[] = [];
      for (const [index, item] of items.entries()) {
        const body = item !== null && typeof item === 'object' && !Array.isArray(item) ? (item as Record<string, unknown>) : undefined;
        if (!body) {
          fieldErrors[String(index)] = { non_field_errors: [`Invalid data. Expected a dictionary, but got ${pythonType(item)}.`] };
          continue;
        }
        const checked = await planCreate(storeHash, body, channels, declared);
        if (checked.errors) fieldErrors[String(index)] = checked.errors;
        else if (checked.logical) logical[index] = checked.logical;
        else plans[index] = checked.plan as PlannedUser;
      }
      if (Object.keys(fieldErrors).length > 0) throw parameterError(fieldErrors);
      const seen = new Set<string>();
      for (const [index] of items.entries()) {
        const found = logical[index];
        if (found) throw found;
        const plan = plans[index] as PlannedUser;
        const key = emailKey(plan.email);
        if (seen.has(key) || (await findUserByEmail(db, storeHash, plan.email))) throw emailExists(plan.email);
        seen.add(key);
        const clash = await uniqueClash(storeHash, declared, plan.extraFields);
        if (clash !== undefined) throw parameterError({ [String(index)]: { extraFields: [m.extraFieldUnique(clash)] } });
      }
      const now = kernel.clock.now();
      const results = await translateUnique(plans[0]?.email ?? '', () =>
        commitWithEvents(kernel.database, kernel.events, async (trx, events) => {
          const out = [];
          for (const plan of plans) out.push(await insertPlanned(trx, storeHash, plan, events, now));
          return out;
        }),
      );
      afterCreate(storeHash, results, now);
      return results.map((r) => ({ userId: r.userId, bcId: r.customerId }));
    },

    async update(storeHash, userId, body) {
      const current = await findUserById(db, storeHash, userId);
      if (!current || current.role === SUPER_ADMIN) throw new AppError('B2B_USER_NOT_FOUND');
      const [channels, declared] = await Promise.all([storeChannelIds(storeHash), declaredFields(storeHash)]);
      const errors: ManagementFieldErrors = {};
      const present = (key: string) => body[key] !== undefined;
      const firstName = present('firstName') ? checkText(errors, 'firstName', body.firstName, { required: true, max: MAX_FIELD_LENGTH, allowBlank: false }) : undefined;
      const lastName = present('lastName') ? checkText(errors, 'lastName', body.lastName, { required: true, max: MAX_FIELD_LENGTH, allowBlank: false }) : undefined;
      const email = present('email') ? checkManagementEmail(errors, body.email, true, m.emailOnUpdate) : undefined;
      const phone = present('phoneNumber') ? checkText(errors, 'phone', body.phoneNumber, { required: true, max: MAX_FIELD_LENGTH, allowBlank: true }) : undefined;
      let role: { role: number; customRoleId: number | null } | undefined;
      const hasCompanyRole = body.companyRoleId !== undefined && body.companyRoleId !== null;
      if (hasCompanyRole) role = await checkCompanyRole(errors, storeHash, body.companyRoleId);
      else if (body.role === null) addFieldError(errors, 'role', m.null);
      else if (present('role')) {
        const value = lenientInteger(body.role);
        if (value === undefined || !isPredefinedRoleId(value)) addFieldError(errors, 'role', m.roleOnUpdate(body.role));
        else role = { role: value, customRoleId: null };
      }
      let uuid: string | null | undefined;
      if (body.uuid === null) addFieldError(errors, 'uuid', m.null);
      else if (present('uuid')) {
        const text = checkText(errors, 'uuid', body.uuid, { required: true, max: MAX_UUID_LENGTH, allowBlank: true });
        if (text !== undefined) uuid = text === '' ? null : text;
      }
      let channelIds: number[] | undefined;
      if (body.channelIds === null) addFieldError(errors, 'channelIds', m.null);
      else if (present('channelIds')) channelIds = checkChannelIds(errors, body.channelIds, channels);
      let extraChanges: ExtraField[] | undefined;
      if (body.extraFields === null) addFieldError(errors, 'extraFields', m.null);
      else if (present('extraFields')) extraChanges = checkExtraFieldValues(errors, body.extraFields, declared, 'update');
      if (Object.keys(errors).length > 0) throw parameterError(ordered(errors));
      if (channelIds !== undefined && channelIds.length === 0) throw new AppError('B2B_LOGIC_ERROR', m.noChannel);

      const newEmail = email ?? current.email;
      if (emailKey(newEmail) !== emailKey(current.email)) {
        const other = await findUserByEmail(db, storeHash, newEmail);
        if (other && other.id !== current.id) throw emailExists(newEmail);
        const customer = await findCustomerByEmail(db, storeHash, newEmail);
        if (customer && customer.id !== current.customerId) throw emailExists(newEmail);
      }
      const mergedExtra = extraChanges ? mergeExtraFieldsBounded(current.extraFields, extraChanges) : undefined;
      if (extraChanges && !mergedExtra) throw parameterError({ extraFields: [m.tooManyExtraFields] });
      if (mergedExtra) {
        const clash = await uniqueClash(storeHash, declared, extraChanges ?? [], current.id);
        if (clash !== undefined) throw parameterError({ extraFields: [m.extraFieldUnique(clash)] });
      }

      const now = kernel.clock.now();
      const outcome = await translateUnique(newEmail, () =>
        commitWithEvents(kernel.database, kernel.events, async (trx, events) => {
          const before = await readUserSnapshot(trx, current.id, { lock: true });
          if (!before) throw new AppError('B2B_USER_NOT_FOUND');
          const next = {
            email: email ?? before.email,
            firstName: firstName ?? before.firstName,
            lastName: lastName ?? before.lastName,
            phone: phone ?? before.phone,
            role: role?.role ?? before.role,
            customRoleId: role ? role.customRoleId : before.companyRoleId,
            uuid: uuid === undefined ? before.uuid : uuid,
            extraFields: mergedExtra ?? before.extraFields,
          };
          const currentChannels = (await listUserChannelIds(trx, [current.id])).get(current.id);
          const channelsChange = channelIds !== undefined && !sameSet(channelIds, currentChannels ?? [before.channelId ?? -1]);
          const changed = changesUser(next, before) || channelsChange;
          // §14 #28: a write that changes nothing keeps updatedAt and reports nothing
          if (!changed) return { changed: false as const };
          const updated = await updateUserWith(trx, customerProfileUpdate(storeHash, current.customerId, next, now, before.email), current.id, next, now, before);
          if (!updated) throw new AppError('INTERNAL');
          if (channelsChange && channelIds) await replaceUserChannels(trx, storeHash, current.id, channelIds);
          const stamp = next.role !== before.role ? await adjustUserCount(trx, current.companyId, 0, now) : undefined;
          events.push({ type: 'company.user.updated', subject: { storeHash, companyId: current.companyId, userId: current.id }, before, after: snapshotOf(updated) });
          return { changed: true as const, stamp, previousRole: before.role, role: next.role };
        }),
      );
      if (outcome.changed) {
        kernel.version.bump();
        if (outcome.stamp) kernel.positions.onRoleChange(current.companyId, current.id, outcome.previousRole, outcome.role, outcome.stamp);
        kernel.emit({ type: 'store/company/user/updated', storeHash, companyId: current.companyId, userId: current.id, at: now });
      }
      return one(storeHash, await findUserById(db, storeHash, current.id));
    },

    async delete(storeHash, userId) {
      const user = await findUserById(db, storeHash, userId);
      if (!user || user.role === SUPER_ADMIN) throw new AppError('B2B_USER_NOT_FOUND');
      const now = kernel.clock.now();
      const { stamp, role } = await commitWithEvents(kernel.database, kernel.events, async (trx, events) => {
        const before = await readUserSnapshot(trx, user.id, { lock: true });
        if (!before) throw new AppError('B2B_USER_NOT_FOUND');
        const stamp = await adjustUserCount(trx, user.companyId, -1, now, { keepAtLeast: 1 });
        if (!stamp) throw new AppError('B2B_LAST_USER', 'The last user in company can not be deleted.');
        const deleted = await deleteUserRow(trx, user.id);
        if (deleted !== 1) throw new AppError('B2B_USER_NOT_FOUND');
        events.push({ type: 'company.user.deleted', subject: { storeHash, companyId: user.companyId, userId: user.id }, before, after: null });
        return { stamp, role: before.role };
      });
      kernel.version.bump();
      kernel.positions.onDelete(user.companyId, user.id, role, stamp);
      kernel.emit({ type: 'store/company/user/deleted', storeHash, companyId: user.companyId, userId: user.id, at: now });
      return user.id;
    },

    async extraFieldConfigs(storeHash) {
      const declared = await listDeclaredConfigDetails(db, storeHash, 'user');
      if (declared.length > 0) return declared;
      // none declared: what the data shows (the B2B GraphQL `userExtraFields` rule)
      return derivedConfigDetails(storeHash, 'user', (await readExtraFieldConfigs(kernel.database, storeHash)).map((c) => c.fieldName));
    },
  };
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((v) => y.has(v));
}

export { stableUuid } from './stable-uuid.js';
