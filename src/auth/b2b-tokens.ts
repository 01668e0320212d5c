import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { DB } from '../db/tables.js';
import { findCompany, listDescendantIds, findStoreChannels } from '../domain/companies/company-repository.js';
import type { B2bCompanyUserPrincipal, B2bPrincipal } from '../domain/company-roles/b2b-principal.js';
import { resolveRolePermissions } from '../domain/company-roles/company-role-service.js';
import { predefinedRolePermissions, toPermissionMap } from '../domain/company-roles/role-defaults.js';
import { findPrincipalRecord, findUserByCustomerId, findUserById } from '../domain/company-users/company-user-repository.js';
import type { CompanyUser } from '../domain/company-users/company-user-types.js';
import { findCustomerById, findCustomerCredentials } from '../domain/customers/customer-repository.js';
import type { Customer } from '../domain/customers/customer-types.js';
import { type DataVersion, createDataVersion } from '../db/data-version.js';
import { type LedgerMark, ledgerMark, validSince } from '../db/tenant-ledger.js';
import { companyUsersTenant } from '../domain/domain-events.js';
import type { RuntimeSettings } from '../services.js';
import type { Clock } from '../shared/clock.js';
import { AppError } from '../shared/errors.js';
import type { IdGenerator } from '../shared/ids.js';
import { verifyPassword } from '../shared/secrets.js';
import { decodeHs256, type JwtClaims, signHs256 } from './b2b-jwt.js';

/** A valid scrypt hash of a random string nobody knows: verified against when there is no real hash. */
const DUMMY_PASSWORD_HASH = '$scrypt$ln=12,r=8,p=1$Mzk4NTQyOTA0MjM0NTY3OA$6r0wI6G8m1HjWmP9w8Xb3s2yq1Yk0zvJ8dQe5LhTtAc';

/**
 * B2B storefront authTokens (b2b-users-rest.md §2, §13 #2-3, §14 #3-7). No HTTP in here: the REST
 * and GraphQL edges pass raw strings and translate the AppErrors (all B2B_*):
 *   B2B_NO_CREDENTIALS 401, B2B_BAD_SIGNATURE 401 (not a JWT / bad signature),
 *   B2B_TOKEN_EXPIRED 401 (exp passed or nbf ahead), B2B_INVALID_TOKEN 401 (user/customer/store gone,
 *   Current Customer JWT for another store or customer), B2B_CUSTOMER_AUTH_FAILED 400 (wrong e-mail
 *   or password), B2B_PARAMETER_ERROR 422 (bad beginAt/endAt; details.fields).
 *
 * Our tokens: HS256 signed with `settings.b2bJwtSecret`, claims
 *   { email, bc_customer_id: number, b2b_user_id?: number (absent for B2C), store_hash, bc_channel_id: number|null,
 *     iat, nbf, exp, jti, name? }, lifetime 1 day unless `beginAt`/`endAt` (unix seconds) say otherwise.
 * Tokens carry no permissions: `authenticate` re-reads the user, its role and its Company on every call.
 *
 * Public API (createB2bTokenService({ database, clock, ids, settings })):
 *   issue(subject, { name?, beginAt?, endAt? })       → { token, claims }
 *   decode(token | undefined)                           → DecodedB2bToken (signature only; for rate limiting by store)
 *   resolve(decoded)                                     → B2bPrincipal (time checks + storage re-read)
 *   authenticate(token | undefined)                      → B2bPrincipal (decode + resolve)
 *   signInWithPassword({ storeHash, email, password, channelId?, name?, beginAt?, endAt? }) → SignInResult
 *   verifyCurrentCustomerJwt(jwt, { storeHash?, customerId? }) → TokenSubject
 *   signInWithCurrentCustomerJwt({ jwt, storeHash?, customerId?, channelId? }) → SignInResult
 *   isKnownStore(storeHash) → boolean;  peekStoreHash(jwt) → unverified store claim (module function)
 */
export interface TokenSubject {
  storeHash: string;
  /** BigCommerce customer id */
  customerId: number;
  /** B2B Company user id; null for a B2C customer */
  userId: number | null;
  email: string;
  channelId: number | null;
}

export interface IssueOptions {
  name?: string;
  /** unix seconds: nbf */
  beginAt?: number;
  /** unix seconds: exp */
  endAt?: number;
}

export interface IssuedToken {
  token: string;
  claims: JwtClaims;
}

export interface DecodedB2bToken {
  storeHash: string;
  claims: JwtClaims;
  /** the token text (cache key) */
  token?: string;
}

export interface SignInResult extends IssuedToken {
  subject: TokenSubject;
  principal: B2bPrincipal;
  customer: Customer;
  /** null for a B2C customer */
  user: CompanyUser | null;
}

export interface B2bTokenService {
  issue(subject: TokenSubject, options?: IssueOptions): IssuedToken;
  decode(token: string | undefined): DecodedB2bToken;
  /**
   * `version`: the B2B data version the caller took at the start of its request (one storage read
   * per request); read here when not given.
   */
  resolve(decoded: DecodedB2bToken, version?: string): Promise<B2bPrincipal>;
  authenticate(token: string | undefined): Promise<B2bPrincipal>;
  signInWithPassword(input: { storeHash: string; email: string; password: string; channelId?: number | null } & IssueOptions): Promise<SignInResult>;
  verifyCurrentCustomerJwt(jwt: string, expected: { storeHash?: string; customerId?: number }): Promise<TokenSubject>;
  signInWithCurrentCustomerJwt(input: { jwt: string; storeHash?: string; customerId?: number; channelId?: number | null }): Promise<SignInResult>;
  /**
   * Route D (b2b-management-rest.md §10.3): a token for any customer of the store, asked for by a
   * server-to-server caller (already authenticated by the edge); B2B_CUSTOMER_NOT_FOUND otherwise.
   */
  signInAsCustomer(input: { storeHash: string; customerId: number; channelId?: number | null }): Promise<SignInResult>;
  /** true when the store hash names a B2B store (edges count rate limits only for known stores) */
  isKnownStore(storeHash: string): Promise<boolean>;
}

/** The `store_hash` (or `sub`) claim of a JWT, NOT verified: only to pick a rate-limit bucket or a secret. */
export function peekStoreHash(jwt: string): string | undefined {
  const parts = jwt.trim().split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (claims === null || typeof claims !== 'object') return undefined;
    const value = typeof claims.store_hash === 'string' ? claims.store_hash : claims.sub;
    return typeof value === 'string' && value !== '' ? value : undefined;
  } catch {
    return undefined;
  }
}

export interface B2bTokenServiceDeps {
  database: Database;
  clock: Clock;
  ids: IdGenerator;
  settings: RuntimeSettings;
  /** shared with the company-user service: cached principals are valid for one data version */
  version?: DataVersion;
}

export const DEFAULT_TOKEN_LIFETIME_SECONDS = 86_400;

const isWholeNumber = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value);

/** Builds the principal of a Company user from storage (role, custom permissions, Company status, subsidiaries). */
export async function loadCompanyUserPrincipal(
  db: Kysely<DB>,
  base: { storeHash: string; userId: number; channelId: number | null; tokenId: string },
): Promise<B2bCompanyUserPrincipal | undefined> {
  const record = await findPrincipalRecord(db, base.storeHash, base.userId);
  if (!record) return undefined;
  const masqueradingCompanyId: number | null = null; // masquerading is not modelled yet
  let permissions: Map<string, number>;
  let companyStatus = record.companyStatus;
  if (record.role === 3) {
    permissions = masqueradingCompanyId === null ? new Map() : toPermissionMap(predefinedRolePermissions[0]);
    if (masqueradingCompanyId !== null) companyStatus = (await findCompany(db, base.storeHash, masqueradingCompanyId))?.status ?? 0;
  } else permissions = await resolveRolePermissions(db, base.storeHash, record.role, record.customRoleId);
  const acting = record.role === 3 ? masqueradingCompanyId : record.companyId;
  const needsTree = acting !== null && [...permissions.values()].some((level) => level === 3);
  const subsidiaryIds = needsTree && acting !== null ? new Set(await listDescendantIds(db, base.storeHash, acting)) : new Set<number>();
  return {
    kind: 'companyUser',
    storeHash: base.storeHash,
    customerId: record.customerId,
    email: record.email,
    channelId: base.channelId,
    tokenId: base.tokenId,
    userId: record.userId,
    companyId: record.companyId,
    role: record.role,
    companyRoleId: record.customRoleId,
    companyStatus,
    masqueradingCompanyId,
    permissions,
    subsidiaryIds,
  };
}

export function createB2bTokenService(deps: B2bTokenServiceDeps): B2bTokenService {
  const db = deps.database.kysely;
  const nowSeconds = () => Math.floor(deps.clock.now() / 1000);
  const version = deps.version ?? createDataVersion();
  /**
   * Verified tokens: the signature is checked once per token text (per secret), the principal is
   * re-read from storage whenever the B2B data version moved (any write by any process, a reset),
   * and on every request where there is no version (PostgreSQL). Time claims are checked on every
   * request. Bounded; only valid signatures are kept.
   */
  const MAX_CACHED_TOKENS = 10_000;
  const tokenCache = new Map<
    string,
    { secret: string; decoded: DecodedB2bToken; principal?: B2bPrincipal; version: string | undefined; since?: LedgerMark | undefined }
  >();

  function issue(subject: TokenSubject, options: IssueOptions = {}): IssuedToken {
    const iat = nowSeconds();
    const nbf = options.beginAt ?? iat;
    const exp = options.endAt ?? Math.max(iat, nbf) + DEFAULT_TOKEN_LIFETIME_SECONDS;
    const claims: JwtClaims = {
      email: subject.email,
      bc_customer_id: subject.customerId,
      ...(subject.userId !== null ? { b2b_user_id: subject.userId } : {}),
      store_hash: subject.storeHash,
      bc_channel_id: subject.channelId,
      iat,
      nbf,
      exp,
      jti: deps.ids.next(),
      ...(options.name !== undefined ? { name: options.name } : {}),
    };
    return { token: signHs256(claims, deps.settings.b2bJwtSecret), claims };
  }

  function checkWindow(options: IssueOptions): void {
    const fields: Record<string, string[]> = {};
    const now = nowSeconds();
    if (options.endAt !== undefined) {
      if (options.endAt <= now) fields.endAt = ['endAt must be in the future.'];
      else if (options.beginAt !== undefined && options.endAt <= options.beginAt) fields.endAt = ['endAt must be after beginAt.'];
    }
    if (Object.keys(fields).length > 0) throw new AppError('B2B_PARAMETER_ERROR', undefined, { fields });
  }

  function decode(token: string | undefined): DecodedB2bToken {
    if (token === undefined || token.trim() === '') throw new AppError('B2B_NO_CREDENTIALS');
    const text = token.trim();
    const secret = deps.settings.b2bJwtSecret;
    const cached = tokenCache.get(text);
    if (cached && cached.secret === secret) return cached.decoded;
    const result = decodeHs256(text, secret);
    if (!result.ok) throw new AppError('B2B_BAD_SIGNATURE');
    const storeHash = result.claims.store_hash;
    if (typeof storeHash !== 'string' || storeHash === '') throw new AppError('B2B_INVALID_TOKEN');
    const decoded: DecodedB2bToken = { storeHash, claims: result.claims, token: text };
    if (tokenCache.size >= MAX_CACHED_TOKENS) {
      const oldest = tokenCache.keys().next().value;
      if (oldest !== undefined) tokenCache.delete(oldest);
    }
    tokenCache.set(text, { secret, decoded, version: undefined });
    return decoded;
  }

  async function resolve(decoded: DecodedB2bToken, taken?: string): Promise<B2bPrincipal> {
    const { claims } = decoded;
    const now = nowSeconds();
    if (!isWholeNumber(claims.exp) || claims.exp <= now) throw new AppError('B2B_TOKEN_EXPIRED');
    if (claims.nbf !== undefined && (!isWholeNumber(claims.nbf) || claims.nbf > now)) throw new AppError('B2B_TOKEN_EXPIRED');
    const entry = decoded.token !== undefined ? tokenCache.get(decoded.token) : undefined;
    const v = taken ?? version.current();
    const mine = entry !== undefined && entry.decoded === decoded;
    if (mine && entry.principal) {
      if (v !== undefined && entry.version === v) return entry.principal;
      // SQLite: a Company user's principal stays valid while no write the ledger explains touched
      // that user (db/tenant-ledger.ts): writes to other users, in its Company or another, no longer
      // reload it; anything unexplained (a Company, role or hierarchy change, another connection) does
      const own = entry.principal;
      if (own.kind === 'companyUser' && entry.since !== undefined) {
        const since = validSince(deps.database, companyUsersTenant(own.companyId), entry.since, (id) => id === own.userId);
        if (since !== undefined) {
          const principal: B2bPrincipal = { ...own, readVersion: v };
          entry.principal = principal;
          entry.version = v;
          entry.since = since;
          return principal;
        }
      }
    }
    // taken before reading: changes during the read are checked against the principal next time
    const mark = ledgerMark(deps.database);
    const principal: B2bPrincipal = { ...(await loadPrincipal(decoded)), readVersion: v };
    if (mine) {
      entry.principal = principal;
      entry.version = v;
      entry.since = principal.kind === 'companyUser' ? mark : undefined;
    }
    return principal;
  }

  /** storage re-read behind `resolve`: the user (or customer), its role, its Company */
  async function loadPrincipal(decoded: DecodedB2bToken): Promise<B2bPrincipal> {
    const { claims, storeHash } = decoded;
    if (!isWholeNumber(claims.bc_customer_id)) throw new AppError('B2B_INVALID_TOKEN');
    const channelId = isWholeNumber(claims.bc_channel_id) ? claims.bc_channel_id : null;
    const tokenId = typeof claims.jti === 'string' ? claims.jti : '';
    if (claims.b2b_user_id !== undefined && claims.b2b_user_id !== null) {
      if (!isWholeNumber(claims.b2b_user_id)) throw new AppError('B2B_INVALID_TOKEN');
      const principal = await loadCompanyUserPrincipal(db, { storeHash, userId: claims.b2b_user_id, channelId, tokenId });
      if (!principal || principal.customerId !== claims.bc_customer_id) throw new AppError('B2B_INVALID_TOKEN');
      return principal;
    }
    // a B2C token: the customer may have become a Company user since
    const user = await findUserByCustomerId(db, storeHash, claims.bc_customer_id);
    if (user) {
      const principal = await loadCompanyUserPrincipal(db, { storeHash, userId: user.id, channelId, tokenId });
      if (principal) return principal;
    }
    const customer = await findCustomerById(db, storeHash, claims.bc_customer_id);
    if (!customer) throw new AppError('B2B_INVALID_TOKEN');
    return { kind: 'customer', storeHash, customerId: customer.id, email: customer.email, channelId, tokenId };
  }

  async function signIn(subject: TokenSubject, customer: Customer, options: IssueOptions): Promise<SignInResult> {
    const issued = issue(subject, options);
    const principal = await resolve({ storeHash: subject.storeHash, claims: { ...issued.claims, nbf: undefined } });
    const user = subject.userId !== null ? ((await findUserById(db, subject.storeHash, subject.userId)) ?? null) : null;
    return { ...issued, subject, principal, customer, user };
  }

  const storeChannels = (storeHash: string): Promise<number[] | undefined> => findStoreChannels(db, storeHash);

  async function verifyCurrentCustomerJwt(jwt: string, expected: { storeHash?: string; customerId?: number }): Promise<TokenSubject> {
    const claimedStore = peekStoreHash(jwt);
    if (jwt.trim().split('.').length !== 3) throw new AppError('B2B_BAD_SIGNATURE');
    const storeHash = expected.storeHash ?? claimedStore;
    if (storeHash === undefined) throw new AppError('B2B_INVALID_TOKEN');
    const secrets = deps.settings.storefrontJwtSecrets;
    const secret = Object.hasOwn(secrets, storeHash) ? secrets[storeHash] : undefined;
    if (typeof secret !== 'string' || secret === '') throw new AppError('B2B_INVALID_TOKEN');
    const verified = decodeHs256(jwt.trim(), secret);
    if (!verified.ok) throw new AppError('B2B_BAD_SIGNATURE');
    const claims = verified.claims;
    const now = nowSeconds();
    if (!isWholeNumber(claims.exp) || claims.exp <= now) throw new AppError('B2B_TOKEN_EXPIRED');
    if (claims.nbf !== undefined && (!isWholeNumber(claims.nbf) || claims.nbf > now)) throw new AppError('B2B_TOKEN_EXPIRED');
    if (claimedStore !== undefined && claimedStore !== storeHash) throw new AppError('B2B_INVALID_TOKEN');
    if (claims.operation !== undefined && claims.operation !== 'current_customer') throw new AppError('B2B_INVALID_TOKEN');
    const customerClaim = claims.customer as { id?: unknown } | undefined;
    const customerId = customerClaim && typeof customerClaim === 'object' ? customerClaim.id : undefined;
    if (!isWholeNumber(customerId)) throw new AppError('B2B_INVALID_TOKEN');
    if (expected.customerId !== undefined && expected.customerId !== customerId) throw new AppError('B2B_INVALID_TOKEN');
    const customer = await findCustomerById(db, storeHash, customerId);
    if (!customer) throw new AppError('B2B_INVALID_TOKEN');
    const user = await findUserByCustomerId(db, storeHash, customerId);
    return { storeHash, customerId, userId: user?.id ?? null, email: user?.email ?? customer.email, channelId: null };
  }

  return {
    async isKnownStore(storeHash) {
      if (storeHash === '' || storeHash.length > 200) return false;
      return (await storeChannels(storeHash)) !== undefined;
    },
    issue,
    decode,
    resolve,
    async authenticate(token) {
      return resolve(decode(token));
    },
    async signInWithPassword(input) {
      checkWindow(input);
      const channels = await storeChannels(input.storeHash);
      if (!channels) throw new AppError('B2B_CUSTOMER_AUTH_FAILED');
      const channelId = input.channelId ?? channels[0] ?? 1;
      if (channels.length > 0 && !channels.includes(channelId)) throw new AppError('B2B_CUSTOMER_AUTH_FAILED');
      const credentials = await findCustomerCredentials(db, input.storeHash, input.email);
      // an unknown e-mail (or one without a password) costs the same scrypt work, so timing does not tell them apart
      const ok = credentials?.passwordHash
        ? await verifyPassword(input.password, credentials.passwordHash)
        : (await verifyPassword(input.password, DUMMY_PASSWORD_HASH)) && false;
      if (!credentials || !ok) throw new AppError('B2B_CUSTOMER_AUTH_FAILED');
      const user = await findUserByCustomerId(db, input.storeHash, credentials.customer.id);
      const subject: TokenSubject = {
        storeHash: input.storeHash,
        customerId: credentials.customer.id,
        userId: user?.id ?? null,
        email: user?.email ?? credentials.customer.email,
        channelId,
      };
      return signIn(subject, credentials.customer, { ...(input.name !== undefined ? { name: input.name } : {}), ...(input.beginAt !== undefined ? { beginAt: input.beginAt } : {}), ...(input.endAt !== undefined ? { endAt: input.endAt } : {}) });
    },
    verifyCurrentCustomerJwt,
    async signInAsCustomer(input) {
      const customer = isWholeNumber(input.customerId) ? await findCustomerById(db, input.storeHash, input.customerId) : undefined;
      if (!customer) throw new AppError('B2B_CUSTOMER_NOT_FOUND');
      const channels = (await storeChannels(input.storeHash)) ?? [];
      const user = await findUserByCustomerId(db, input.storeHash, customer.id);
      const subject: TokenSubject = { storeHash: input.storeHash, customerId: customer.id, userId: user?.id ?? null, email: user?.email ?? customer.email, channelId: input.channelId ?? channels[0] ?? 1 };
      return signIn(subject, customer, {});
    },
    async signInWithCurrentCustomerJwt(input) {
      const subject = await verifyCurrentCustomerJwt(input.jwt, {
        ...(input.storeHash !== undefined ? { storeHash: input.storeHash } : {}),
        ...(input.customerId !== undefined ? { customerId: input.customerId } : {}),
      });
      const channels = (await storeChannels(subject.storeHash)) ?? [];
      const withChannel = { ...subject, channelId: input.channelId ?? channels[0] ?? 1 };
      const customer = await findCustomerById(db, subject.storeHash, subject.customerId);
      if (!customer) throw new AppError('B2B_INVALID_TOKEN');
      return signIn(withChannel, customer, {});
    },
  };
}
