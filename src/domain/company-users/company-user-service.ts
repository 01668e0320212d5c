import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { isUniqueViolation } from '../../db/db-errors.js';
import { emailKey } from '../../db/dialect.js';
import { allocateIds } from '../../db/id-counters.js';
import type { DB } from '../../db/tables.js';
import type { Clock } from '../../shared/clock.js';
import { AppError } from '../../shared/errors.js';
import { adjustUserCount, findCompany } from '../companies/company-repository.js';
import type { Company } from '../companies/company-types.js';
import { type AuthorizeDecision, authorize } from '../company-roles/authorize.js';
import { actingCompanyId, type B2bPrincipal } from '../company-roles/b2b-principal.js';
import { customerProfileUpdate, findCustomerByEmail, insertCustomer, updateCustomerProfile } from '../customers/customer-repository.js';
import { createVersionedCache } from '../../db/storage-version.js';
import { commitAsOneStatement, commitWithEvents, companyUsersTenant, declareNothingChanged, MEMBERSHIP_CHANGED, type WorldEventInput } from '../domain-events.js';
import { type LedgerMark, ledgerMark, validSince } from '../../db/tenant-ledger.js';
import type { EventSink } from '../domain-events.js';
import { type DataVersion, createDataVersion } from '../../db/data-version.js';
import { createUserPositionCache, type UserPositionCache } from './company-user-positions.js';
import { readPage } from './company-user-pages.js';
import { type CompanyUserViews, createCompanyUserViews } from './company-user-views.js';
import { createManagedUserWriter, createManagementUserOps, type ManagedUserWriter, type ManagementKernel, type ManagementUserOps } from './management-users.js';
import { resolveRole } from './company-user-roles.js';
import { companyUserEmailType, EmailUserType } from './email-user-type.js';
import {
  type CompanyUserSnapshot,
  changesUser,
  deleteUserRow,
  findUserByCustomerId,
  findUserByEmail,
  findUserById,
  hasNoFilters,
  insertUser,
  readUserSnapshot,
  snapshotOf,
  snapshotOfRow,
  toCompanyUser,
  type UserFilters,
  type UserUpdateRow,
  updateUserWith,
  userUpdateStatement,
} from './company-user-repository.js';
import type {
  CompanyUser,
  CompanyUserEventSink,
  CompanyUserPage,
  CompanyUserRef,
  CreateCompanyUserInput,
  EmailCheckResult,
  ExtraField,
  ListCompanyUsersQuery,
  UpdateCompanyUserInput,
} from './company-user-types.js';
import {
  addError,
  checkEmail,
  checkExtraFields,
  checkString,
  type FieldErrors,
  MAX_FIELD_LENGTH,
  messages,
  parseWholeNumber,
} from './company-user-validation.js';

/**
 * Company users of B2B Edition: the one domain service behind REST `/api/v2/users...` and the B2B
 * GraphQL `users`/`user`/`userCreate`/`userUpdate`/`userDelete`/`userEmailCheck`/`userCompany`.
 * Every method takes the caller's principal and enforces permissions (b2b-users-rest.md §7, §13,
 * §14 #10 order: 403 → 404 → 422 validation → 422 business rules). Errors are AppErrors:
 *   B2B_FORBIDDEN 403, B2B_USER_NOT_FOUND 404, B2B_COMPANY_NOT_FOUND 404,
 *   B2B_PARAMETER_ERROR 422 (details = { field: [messages] }, domain field names: email, firstName,
 *   lastName, phone, role, companyRoleId, companyId, uuid, extraFields, non_field_errors),
 *   B2B_EMAIL_EXISTS 422 (message `Email already exists. ['<email>']`),
 *   B2B_LAST_USER 422, B2B_DELETE_SELF 422 (edges pick their own texts by code).
 *
 * Public API (createCompanyUserService({ database, clock, onEvent? })):
 *   list(principal, query)                 → CompanyUserPage (offset or keyset paging, totalCount)
 *   get(principal, ref, { companyId? })    → CompanyUser      (ref = { userId } | { bcId })
 *   create(principal, input, { missingRole? }) → CompanyUser
 *   update(principal, ref, input, { mode: 'replace' | 'partial', companyId? }) → CompanyUser
 *   delete(principal, ref, { companyId? }) → CompanyUser (the deleted user)
 *   checkEmail(principal, { email, companyId?, channelId? }) → EmailCheckResult (isValid + userType)
 *   assertExists(principal, { email, extraFieldName?, extraFieldValue? }) → void (404 when not)
 *   getUserCompany(principal, userId)      → Company
 * Writes are single transactions that keep `companies.user_count`; events are reported through
 * `onEvent` after commit (nothing is sent over the network here).
 */
export interface CompanyUserService {
  list(principal: B2bPrincipal, query: ListCompanyUsersQuery): Promise<CompanyUserPage>;
  get(principal: B2bPrincipal, ref: CompanyUserRef, options?: { companyId?: number }): Promise<CompanyUser>;
  create(principal: B2bPrincipal, input: CreateCompanyUserInput, options?: CreateOptions): Promise<CompanyUser>;
  update(principal: B2bPrincipal, ref: CompanyUserRef, input: UpdateCompanyUserInput, options: UpdateOptions): Promise<CompanyUser>;
  delete(principal: B2bPrincipal, ref: CompanyUserRef, options?: { companyId?: number }): Promise<CompanyUser>;
  checkEmail(principal: B2bPrincipal, query: { email: string; companyId?: number; channelId?: number; invalid?: FieldErrors }): Promise<EmailCheckResult>;
  assertExists(principal: B2bPrincipal, query: { email: string; extraFieldName?: string; extraFieldValue?: string; invalid?: FieldErrors }): Promise<void>;
  getUserCompany(principal: B2bPrincipal, userId: number): Promise<Company>;
  /**
   * A Company of the store through this service's cache (kept per data version; synchronous on a
   * hit). No permission check: the caller already holds a user of it. `readVersion`: the version the
   * request took (its principal's), used where no cheaper reading exists (PostgreSQL).
   */
  findCompany(storeHash: string, companyId: number, readVersion?: string): Company | undefined | Promise<Company | undefined>;
  /** the Management API's operations on the same users (management-users.ts): store-level, no principal */
  readonly management: ManagementUserOps;
  /** what Company management (domain/companies/company-management.ts) shares with these users' writes */
  readonly managementParts: { kernel: ManagementKernel; writer: ManagedUserWriter };
}

export interface CreateOptions {
  /**
   * Neither `role` nor `companyRoleId` given: 'field' → `{role: ["This field is required."]}` (REST,
   * default); 'nonField' → `{non_field_errors: ["User must have a role."]}` (GraphQL §14 #25).
   */
  missingRole?: 'field' | 'nonField';
  /** REST: `phoneNumber` must be present (it may be ""); GraphQL defaults a missing phone to "" */
  phoneRequired?: boolean;
}

export interface UpdateOptions {
  /** 'replace': REST PUT, the five fields are required; 'partial': GraphQL, omitted fields keep their value */
  mode: 'replace' | 'partial';
  /** GraphQL passes the `companyId` argument: a user of another Company is then not found */
  companyId?: number;
  /** see CreateOptions.missingRole (replace mode only) */
  missingRole?: 'field' | 'nonField';
}

export interface CompanyUserServiceDeps {
  database: Database;
  clock: Clock;
  /** company.user.* state-change events, with `before`/`after` read inside each write's transaction */
  events?: EventSink;
  /** observer of the store/company/user/* notifications and welcome e-mails (webhooks); nothing is sent by default */
  onEvent?: CompanyUserEventSink;
  positions?: UserPositionCache;
  /** the Companies' read models (SQLite); one per service by default */
  views?: CompanyUserViews;
  /** shared with the token service: read caches are valid for one version; this service bumps it after each write */
  version?: DataVersion;
}

const MAX_PAGE = 250;

function refuse(decision: AuthorizeDecision, notFound: 'B2B_USER_NOT_FOUND' | 'B2B_COMPANY_NOT_FOUND' | 'B2B_FORBIDDEN'): never {
  if (!decision.allowed && decision.reason === 'outOfScope') throw new AppError(notFound);
  throw new AppError('B2B_FORBIDDEN');
}

function assertMay(principal: B2bPrincipal, code: string): void {
  if (!authorize(principal, code, null).allowed) throw new AppError('B2B_FORBIDDEN');
}

export function emailExistsError(email: string): AppError {
  return new AppError('B2B_EMAIL_EXISTS', `Email already exists. ['${email.trim()}']`);
}

export function createCompanyUserService(deps: CompanyUserServiceDeps): CompanyUserService {
  const db: Kysely<DB> = deps.database.kysely;
  const positions = deps.positions ?? createUserPositionCache();
  const version = deps.version ?? createDataVersion();
  // The Company of every request's authorization (and of `companyInfo` on every node of a GraphQL
  // page), read once per data version (see db/data-version.ts; never mutated). Users and pages are
  // not kept here: whole answers are (http/answer-cache.ts), and a domain copy of them would be a
  // second cache of the same reads.
  const companyCache = createVersionedCache<Company | null>(1_000);
  // on SQLite, each Company checked against the tenant ledger (db/tenant-ledger.ts): only a change
  // of who is in it (its user count) or anything unexplained (a Company write) reloads it
  const companyByTenant = new Map<string, { company: Company | null; since: LedgerMark }>();
  const views = deps.views ?? createCompanyUserViews(deps.database);

  /** synchronous on a cache hit (GraphQL's `companyInfo` on every node of a page then costs no promise) */
  function readCompany(storeHash: string, id: number, readVersion?: string): Company | undefined | Promise<Company | undefined> {
    const key = `${storeHash}:${id}`;
    const entry = companyByTenant.get(key);
    const since = entry && validSince(deps.database, companyUsersTenant(id), entry.since, (item) => item === MEMBERSHIP_CHANGED);
    if (entry && since) {
      entry.since = since;
      return entry.company ?? undefined;
    }
    // a miss: the ledger's position before the read (SQLite, no transaction open)
    const mark = ledgerMark(deps.database);
    if (mark !== undefined) {
      return findCompany(db, storeHash, id).then((company) => {
        if (companyByTenant.size >= 10_000) companyByTenant.clear();
        companyByTenant.set(key, { company: company ?? null, since: mark });
        return company;
      });
    }
    // PostgreSQL: the reading the request took first, while no write or reset of this process came after it
    const v = version.current() ?? (version.isCurrent(readVersion) ? readVersion : undefined);
    const cached = companyCache.get(deps.database, v, key);
    if (cached !== undefined) return cached ?? undefined;
    return findCompany(db, storeHash, id).then((company) => {
      companyCache.set(deps.database, v, key, company ?? null);
      return company;
    });
  }
  const emit: CompanyUserEventSink = (event) => {
    try {
      deps.onEvent?.(event);
    } catch {
      // a failing observer never breaks a committed write
    }
  };

  async function findByRef(storeHash: string, ref: CompanyUserRef, principal?: B2bPrincipal): Promise<CompanyUser | undefined> {
    if ('userId' in ref && principal?.kind === 'companyUser' && principal.storeHash === storeHash) {
      // most reads name a user of the caller's own Company: its read model answers without SQL
      const own = await readCompany(storeHash, principal.companyId, principal.readVersion);
      const user = own ? await views.user(own, ref.userId) : undefined;
      if (user) return user;
    }
    return 'userId' in ref ? findUserById(db, storeHash, ref.userId) : findUserByCustomerId(db, storeHash, ref.bcId);
  }

  /** 403 stage, then the target user: missing, other Company (when asked) or out of scope → 404. */
  async function loadTarget(principal: B2bPrincipal, code: string, ref: CompanyUserRef, companyId?: number): Promise<{ user: CompanyUser; company: Company }> {
    assertMay(principal, code);
    const user = await findByRef(principal.storeHash, ref, principal);
    if (!user || (companyId !== undefined && user.companyId !== companyId)) throw new AppError('B2B_USER_NOT_FOUND');
    const company = await readCompany(principal.storeHash, user.companyId, principal.readVersion);
    if (!company) throw new AppError('B2B_USER_NOT_FOUND');
    const decision = authorize(principal, code, { companyId: user.companyId, userId: user.id, companyStatus: company.status });
    if (!decision.allowed) refuse(decision, 'B2B_USER_NOT_FOUND');
    return { user, company };
  }

  function assertNoErrors(errors: FieldErrors): void {
    if (Object.keys(errors).length > 0) throw new AppError('B2B_PARAMETER_ERROR', undefined, { fields: errors });
  }

  async function translateUnique<T>(email: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error)) throw emailExistsError(email);
      throw error;
    }
  }

  const kernel: ManagementKernel = { database: deps.database, clock: deps.clock, events: deps.events, emit, positions, version };
  const writer = createManagedUserWriter(kernel);

  return {
    findCompany: readCompany,
    management: createManagementUserOps(kernel, writer),
    managementParts: { kernel, writer },
    async list(principal, query) {
      assertMay(principal, 'get_users');
      const companyId = query.companyId ?? actingCompanyId(principal);
      if (companyId === null) throw new AppError('B2B_FORBIDDEN');
      const company = await readCompany(principal.storeHash, companyId, principal.readVersion);
      if (!company) throw new AppError('B2B_COMPANY_NOT_FOUND');
      const decision = authorize(principal, 'get_users', { companyId, companyStatus: company.status });
      if (!decision.allowed) refuse(decision, 'B2B_COMPANY_NOT_FOUND');
      if (query.invalid) assertNoErrors(query.invalid);

      const filters: UserFilters = {
        ...(query.search !== undefined && query.search.trim() !== '' ? { search: query.search } : {}),
        ...(query.email !== undefined ? { email: query.email } : {}),
        ...(query.firstName !== undefined ? { firstName: query.firstName } : {}),
        ...(query.lastName !== undefined ? { lastName: query.lastName } : {}),
        ...(query.roles !== undefined && query.roles.length > 0 ? { roles: [...new Set(query.roles)].sort() } : {}),
        ...(query.companyRoleId !== undefined ? { companyRoleId: query.companyRoleId } : {}),
        ...(query.createdFrom !== undefined ? { createdFrom: query.createdFrom } : {}),
        ...(query.createdTo !== undefined ? { createdTo: query.createdTo } : {}),
        ...(query.updatedFrom !== undefined ? { updatedFrom: query.updatedFrom } : {}),
        ...(query.updatedTo !== undefined ? { updatedTo: query.updatedTo } : {}),
        ...(decision.ownRecordsOnly && principal.kind === 'companyUser' ? { onlyUserId: principal.userId } : {}),
      };
      const limit = Number.isFinite(query.paging.limit) ? Math.min(Math.max(1, Math.trunc(query.paging.limit)), MAX_PAGE) : 10;
      const offset = Number.isFinite(query.paging.offset ?? 0) ? Math.max(0, Math.trunc(query.paging.offset ?? 0)) : 0;
      const { afterId, beforeId, fromEnd } = query.paging;
      const plainOffset = afterId === undefined && beforeId === undefined && !fromEnd;
      const page = (plainOffset ? await views.page(company, filters, { limit, offset }) : undefined) ?? (await readPage(db, positions, company, filters, { limit, offset, afterId, beforeId, fromEnd }));
      // a filtered page from the read model says itself what it depends on (company-user-views.ts)
      page.dependsOn ??= { companyId, items: plainOffset && hasNoFilters(filters) ? [...page.items.map((u) => u.id), MEMBERSHIP_CHANGED] : null };
      return page;
    },

    async get(principal, ref, options) {
      return (await loadTarget(principal, 'get_user_detail', ref, options?.companyId)).user;
    },

    async create(principal, input, options) {
      assertMay(principal, 'create_user');
      const errors: FieldErrors = {};
      const companyId = parseWholeNumber(input.companyId);
      let company: Company | undefined;
      if (input.companyId !== undefined && input.companyId !== null) {
        // §13 #11: a companyId outside the caller's scope (or unknown) is 403, before any 422
        company = companyId === undefined ? undefined : await findCompany(db, principal.storeHash, companyId);
        if (!company) throw new AppError('B2B_FORBIDDEN');
        const decision = authorize(principal, 'create_user', { companyId: company.id, companyStatus: company.status });
        if (!decision.allowed) throw new AppError('B2B_FORBIDDEN');
      } else addError(errors, 'companyId', input.companyId === null ? messages.null : messages.required);

      const email = checkEmail(errors, 'email', input.email, true);
      const firstName = checkString(errors, 'firstName', input.firstName, { required: true, allowBlank: false, max: MAX_FIELD_LENGTH });
      const lastName = checkString(errors, 'lastName', input.lastName, { required: true, allowBlank: false, max: MAX_FIELD_LENGTH });
      const phone = input.phone === undefined && !options?.phoneRequired ? '' : checkString(errors, 'phone', input.phone, { required: true, allowBlank: true, max: MAX_FIELD_LENGTH });
      const uuid = input.uuid === undefined || input.uuid === null || input.uuid === '' ? null : (checkString(errors, 'uuid', input.uuid, { required: false, allowBlank: true, max: MAX_FIELD_LENGTH }) ?? null);
      const extraFields = checkExtraFields(errors, 'extraFields', input.extraFields) ?? [];
      const role = await resolveRole(db, principal.storeHash, errors, input, true, options?.missingRole ?? 'field');
      assertNoErrors(errors);
      if (!company || email === undefined || firstName === undefined || lastName === undefined || phone === undefined || role === undefined) {
        throw new AppError('B2B_PARAMETER_ERROR');
      }

      const existingUser = await findUserByEmail(db, principal.storeHash, email);
      if (existingUser) throw emailExistsError(email);
      const channelId = input.channelId !== undefined ? input.channelId : principal.channelId;
      const now = deps.clock.now();
      const storeHash = principal.storeHash;
      const targetCompany = company;

      const result = await translateUnique(email, () =>
        commitWithEvents(deps.database, deps.events, async (trx, events) => {
          // The id counter is locked first on every path: a concurrent create of the same e-mail that
          // found the customer (and locked its row) must not then wait for the counter while we wait
          // for that row (a lock-order deadlock on PostgreSQL).
          const firstId = await allocateIds(trx, 'b2b');
          const customer = await findCustomerByEmail(trx, storeHash, email);
          let customerId: number;
          let userId: number;
          let newCustomer = false;
          if (customer) {
            customerId = customer.id;
            userId = firstId;
            await updateCustomerProfile(trx, storeHash, customerId, { email: customer.email, firstName, lastName, phone: phone || customer.phone }, now);
          } else {
            customerId = firstId;
            newCustomer = true;
            await insertCustomer(trx, { id: customerId, storeHash, email, firstName, lastName, phone, originChannelId: channelId, now });
            userId = await allocateIds(trx, 'b2b');
          }
          await insertUser(trx, {
            id: userId,
            storeHash,
            companyId: targetCompany.id,
            customerId,
            email,
            firstName,
            lastName,
            phone,
            role: role.role,
            customRoleId: role.customRoleId,
            uuid,
            channelId,
            extraFields,
            now,
          });
          const stamp = await adjustUserCount(trx, targetCompany.id, 1, now);
          // the answer is the user as this write created it (see update), and the event's `after`
          const created = await findUserById(trx, storeHash, userId);
          if (!created) throw new AppError('INTERNAL');
          events.push({ type: 'company.user.created', subject: { storeHash, companyId: targetCompany.id, userId }, before: null, after: snapshotOf(created) });
          return { userId, customerId, newCustomer, stamp, created };
        }),
      );
      version.bump();
      positions.onInsert(targetCompany.id, result.userId, role.role, result.stamp);
      const { created } = result;
      emit({ type: 'store/company/user/created', storeHash, companyId: targetCompany.id, userId: created.id, at: now });
      emit({ type: 'user.welcome', storeHash, companyId: targetCompany.id, userId: created.id, customerId: result.customerId, email: created.email, at: now });
      return created;
    },

    async update(principal, ref, input, options) {
      const { user } = await loadTarget(principal, 'update_user', ref, options.companyId);
      const replace = options.mode === 'replace';
      const errors: FieldErrors = {};
      const email = checkEmail(errors, 'email', input.email, replace);
      const firstName = checkString(errors, 'firstName', input.firstName, { required: replace, allowBlank: false, max: MAX_FIELD_LENGTH });
      const lastName = checkString(errors, 'lastName', input.lastName, { required: replace, allowBlank: false, max: MAX_FIELD_LENGTH });
      const phone = checkString(errors, 'phone', input.phone, { required: replace, allowBlank: true, max: MAX_FIELD_LENGTH });
      const uuid = input.uuid === undefined ? undefined : input.uuid === null || input.uuid === '' ? null : (checkString(errors, 'uuid', input.uuid, { required: false, allowBlank: true, max: MAX_FIELD_LENGTH }) ?? null);
      const extraFields: ExtraField[] | undefined = checkExtraFields(errors, 'extraFields', input.extraFields);
      const role = await resolveRole(db, principal.storeHash, errors, input, replace, options.missingRole ?? 'field');
      assertNoErrors(errors);

      // omitted fields keep the value they have when the write runs (read again under the row's lock
      // below), not the one read above: two partial updates of one user never undo each other
      const nextFrom = (current: CompanyUserSnapshot) => ({
        email: email ?? current.email,
        firstName: firstName ?? current.firstName,
        lastName: lastName ?? current.lastName,
        phone: phone ?? current.phone,
        role: role?.role ?? current.role,
        customRoleId: role ? role.customRoleId : current.companyRoleId,
        uuid: uuid === undefined ? current.uuid : uuid,
        extraFields: extraFields ?? current.extraFields,
      });
      const newEmail = email ?? user.email;
      if (emailKey(newEmail) !== emailKey(user.email)) {
        const other = await findUserByEmail(db, principal.storeHash, newEmail);
        if (other && other.id !== user.id) throw emailExistsError(newEmail);
        const customer = await findCustomerByEmail(db, principal.storeHash, newEmail);
        if (customer && customer.id !== user.customerId) throw emailExistsError(newEmail); // §14 #17
      }
      const now = deps.clock.now();
      // an update that keeps the user's role (as this request read it) where the database can run
      // it as one statement; a role change, or a role changed meanwhile, in the transaction below
      const keepsRole = role === undefined || (role.role === user.role && role.customRoleId === (user.hasCustomRole ? user.companyRoleId : null));
      const atOnce = async () => {
        const statement = userUpdateStatement(user.id, { email, firstName, lastName, phone, uuid, extraFields, role }, now);
        const reports = [{ type: 'company.user.updated' as const, storeHash: principal.storeHash }];
        let written: { previousRole: number; role: number; updated: CompanyUser } | undefined;
        const done = await commitAsOneStatement<UserUpdateRow>(deps.database, deps.events, reports, `company-user:${user.id}`, statement, (row) => {
          const events: WorldEventInput[] = [];
          if (!row?.before || !row.after) {
            declareNothingChanged(events);
            return events;
          }
          const before = snapshotOfRow(row.before);
          const updated = toCompanyUser(row.after);
          const changed = changesUser(nextFrom(before), before);
          events.push({ type: 'company.user.updated', subject: { storeHash: principal.storeHash, companyId: user.companyId, userId: user.id }, before, after: snapshotOf(updated), ...(changed ? {} : { silent: true }) });
          written = { previousRole: before.role, role: updated.role, updated };
          return events;
        });
        if (done === undefined) return undefined;
        if (!done.row?.before) throw new AppError('B2B_USER_NOT_FOUND');
        return written === undefined ? undefined : { stamp: undefined, ...written };
      };
      const outcome = await translateUnique(newEmail, async () =>
        (keepsRole ? await atOnce() : undefined) ??
        commitWithEvents(deps.database, deps.events, async (trx, events) => {
          // lock order of every company-user write: the user's row, then the customer, then the Company
          const before = await readUserSnapshot(trx, user.id, { lock: true });
          if (!before) throw new AppError('B2B_USER_NOT_FOUND');
          const next = nextFrom(before);
          // the customer's profile is written with the user (its e-mail follows the user's: an update
          // that keeps the user's keeps the customer's; on PostgreSQL both are one statement). The
          // answer and the event's `after` are the state this write left, returned by the write itself
          // (a delete committed right after must not turn a successful update into a 404)
          const profile = customerProfileUpdate(principal.storeHash, user.customerId, next, now, before.email);
          const updated = await updateUserWith(trx, profile, user.id, next, now, before);
          if (!updated) throw new AppError('INTERNAL');
          const stamp = next.role !== before.role ? await adjustUserCount(trx, user.companyId, 0, now) : undefined;
          // a write that changed no value but the time is journalled, never a webhook (webhooks.md §2)
          const changed = changesUser(next, before);
          events.push({ type: 'company.user.updated', subject: { storeHash: principal.storeHash, companyId: user.companyId, userId: user.id }, before, after: snapshotOf(updated), ...(changed ? {} : { silent: true }) });
          return { stamp, previousRole: before.role, role: next.role, updated };
        }),
      );
      // first, before anything else can settle: the row as this write left it, for the Company's view
      views.written(outcome.updated);
      version.bump();
      if (outcome.stamp) positions.onRoleChange(user.companyId, user.id, outcome.previousRole, outcome.role, outcome.stamp);
      const { updated } = outcome;
      emit({ type: 'store/company/user/updated', storeHash: principal.storeHash, companyId: updated.companyId, userId: updated.id, at: now });
      return updated;
    },

    async delete(principal, ref, options) {
      const { user } = await loadTarget(principal, 'delete_user', ref, options?.companyId);
      if (principal.kind === 'companyUser' && principal.userId === user.id) throw new AppError('B2B_DELETE_SELF', 'You can not delete yourself.');
      const now = deps.clock.now();
      const { stamp, role } = await commitWithEvents(deps.database, deps.events, async (trx, events) => {
        // the same lock order as update: the user's row first, then the Company
        const before = await readUserSnapshot(trx, user.id, { lock: true });
        if (!before) throw new AppError('B2B_USER_NOT_FOUND');
        // atomic "not the last user": the counter only drops while more than one user remains
        const stamp = await adjustUserCount(trx, user.companyId, -1, now, { keepAtLeast: 1 });
        if (!stamp) throw new AppError('B2B_LAST_USER', 'The last user in company can not be deleted.');
        const deleted = await deleteUserRow(trx, user.id);
        if (deleted !== 1) throw new AppError('B2B_USER_NOT_FOUND');
        events.push({ type: 'company.user.deleted', subject: { storeHash: principal.storeHash, companyId: user.companyId, userId: user.id }, before, after: null });
        return { stamp, role: before.role };
      });
      version.bump();
      positions.onDelete(user.companyId, user.id, role, stamp);
      emit({ type: 'store/company/user/deleted', storeHash: principal.storeHash, companyId: user.companyId, userId: user.id, at: now });
      return user;
    },

    async checkEmail(principal, query) {
      assertMay(principal, 'create_user');
      const errors: FieldErrors = { ...query.invalid };
      const email = checkEmail(errors, 'email', query.email, true);
      assertNoErrors(errors);
      if (email === undefined) throw new AppError('B2B_PARAMETER_ERROR');
      const companyId = query.companyId ?? actingCompanyId(principal);
      const user = await findUserByEmail(db, principal.storeHash, email);
      const customer = await findCustomerByEmail(db, principal.storeHash, email);
      if (user) {
        const company = await findCompany(db, principal.storeHash, user.companyId);
        return {
          isValid: 0,
          userType: companyUserEmailType(user, companyId, query.channelId),
          userInfo: {
            id: user.id,
            email: user.email,
            firstName: user.firstName,
            lastName: user.lastName,
            phoneNumber: user.phone,
            role: user.role,
            companyId: user.companyId,
            companyName: company?.name ?? null,
            originChannelId: customer?.originChannelId ?? user.channelId,
            forcePasswordReset: customer?.forcePasswordReset ?? false,
          },
        };
      }
      if (customer) {
        return {
          isValid: 2,
          userType: EmailUserType.B2C_CUSTOMER,
          userInfo: {
            id: customer.id,
            email: customer.email,
            firstName: customer.firstName,
            lastName: customer.lastName,
            phoneNumber: customer.phone,
            role: null,
            companyId: null,
            companyName: null,
            originChannelId: customer.originChannelId,
            forcePasswordReset: customer.forcePasswordReset,
          },
        };
      }
      return { isValid: 1, userType: EmailUserType.NOT_FOUND, userInfo: null };
    },

    async assertExists(principal, query) {
      assertMay(principal, 'create_user');
      if (query.invalid) assertNoErrors(query.invalid);
      const user = query.email.trim() === '' ? undefined : await findUserByEmail(db, principal.storeHash, query.email);
      if (!user) throw new AppError('B2B_USER_NOT_FOUND');
      if (query.extraFieldName !== undefined && query.extraFieldName !== '') {
        const field = user.extraFields.find((f) => f.fieldName === query.extraFieldName);
        if (!field || (query.extraFieldValue !== undefined && field.fieldValue !== query.extraFieldValue)) throw new AppError('B2B_USER_NOT_FOUND');
      }
    },

    async getUserCompany(principal, userId) {
      if (principal.kind === 'companyUser' && principal.userId === userId) {
        const own = await findCompany(db, principal.storeHash, principal.companyId);
        if (!own) throw new AppError('B2B_COMPANY_NOT_FOUND');
        return own;
      }
      const { company } = await loadTarget(principal, 'get_user_detail', { userId });
      return company;
    },
  };
}
