import { specDir } from './helpers/spec-dir.js';
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import yaml from 'js-yaml';
import { signHs256 } from '../src/auth/b2b-jwt.js';
import type { TestApp } from './helpers/test-app.js';
import { cloneDemo } from './helpers/test-app.js';
import { people } from './helpers/b2b-graphql-client.js';

/** Shared by the test/b2b-rest-*.test.ts files: tokens, requests, table digests, the published OpenAPI schemas. */
import { STORE } from './helpers/b2b-graphql-client.js';

export { STORE };

export interface DemoUser {
  id: number;
  bcId: number;
  email: string;
  companyId: number;
}

/** The demo world's B2B people the REST tests sign in as (the same records as the GraphQL client's `people`). */
export const demo = {
  admin: people.admin,
  senior: people.senior,
  junior: people.junior,
  custom: people.userManager,
  westAdmin: people.westAdmin,
  rival: people.rivalAdmin,
  pending: people.pendingAdmin,
} as const satisfies Record<string, DemoUser>;

export const walkIn = { bcId: 321, email: 'walk.in@example.com' } as const;

export function tokenFor(t: TestApp, user: { id: number | null; bcId: number; email: string }, options: { beginAt?: number; endAt?: number } = {}): string {
  return t.app.services.b2bTokens.issue({ storeHash: STORE, customerId: user.bcId, userId: user.id, email: user.email, channelId: 1 }, options).token;
}

export function auth(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** A Current Customer JWT as BigCommerce signs it (§14 #3). */
export function currentCustomerJwt(customerId: number, options: { secret?: string; iat?: number; exp?: number; storeHash?: string } = {}): string {
  const demoFixture = cloneDemo<{ settings: { storefrontJwtSecrets: Record<string, string> } }>();
  const secret = options.secret ?? (demoFixture.settings.storefrontJwtSecrets[STORE] as string);
  const iat = options.iat ?? Math.floor(Date.now() / 1000);
  return signHs256(
    {
      customer: { id: customerId, email: 'ignored@example.com', group_id: '0' },
      iss: 'bc/apps',
      sub: options.storeHash ?? STORE,
      iat,
      exp: options.exp ?? iat + 900,
      version: 1,
      aud: 'dl7c39mdpul6hyc489yk0vzxl6jesyx',
      application_id: 'dl7c39mdpul6hyc489yk0vzxl6jesyx',
      store_hash: options.storeHash ?? STORE,
      operation: 'current_customer',
      jti: 'test-jti',
    },
    secret,
  );
}

/** Every B2B row, for "state unchanged" assertions. */
export async function b2bDigest(t: TestApp): Promise<string> {
  const db = t.database.kysely;
  const users = await db.selectFrom('company_users').selectAll().orderBy('id').execute();
  const customers = await db.selectFrom('customers').selectAll().orderBy('id').execute();
  const companies = await db.selectFrom('companies').selectAll().orderBy('id').execute();
  return JSON.stringify({ users, customers, companies });
}

// ------------------------------------------------------------------ published OpenAPI schemas
const SPEC_DIR = join(specDir, 'openapi');
export const specAvailable = existsSync(SPEC_DIR);

type Json = Record<string, unknown>;
const documents = new Map<string, Json>();

function load(file: string): Json {
  let doc = documents.get(file);
  if (!doc) {
    doc = yaml.load(readFileSync(`${SPEC_DIR}/${file}`, 'utf8')) as Json;
    documents.set(file, doc);
  }
  return doc;
}

/** Inline local `#/...` refs; external URL refs become `{}` (permissive). */
function resolveRefs(value: unknown, root: Json, depth = 0): unknown {
  if (depth > 40) return {};
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, root, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Json;
  if (typeof obj.$ref === 'string') {
    const ref = obj.$ref;
    if (!ref.startsWith('#/')) return {};
    let target: unknown = root;
    for (const part of ref.slice(2).split('/')) target = (target as Json)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    return resolveRefs(target, root, depth + 1);
  }
  const out: Json = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'example' || k === 'examples') continue;
    out[k] = resolveRefs(v, root, depth + 1);
  }
  return out;
}

// CommonJS packages under NodeNext: the class / function sits on `default`
const Ajv = (AjvModule as unknown as { default: typeof AjvModule.default }).default;
const addFormats = (addFormatsModule as unknown as { default: typeof addFormatsModule.default }).default;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);

/** The 200 JSON schema of `method path` in a published file (paths as written there). */
export function publishedSchema(file: string, path: string, method: string): Json {
  const doc = load(file);
  const operation = ((doc.paths as Json)[path] as Json | undefined)?.[method.toLowerCase()] as Json | undefined;
  if (!operation) throw new Error(`${file}: no ${method} ${path}`);
  let response = (operation.responses as Json)['200'] as Json;
  response = resolveRefs(response, doc) as Json;
  const schema = ((response.content as Json)['application/json'] as Json).schema as Json;
  return schema;
}

/** Validation errors of `body` against the published schema ([] = valid); [] when the spec folder is absent. */
export function schemaErrors(file: string, path: string, method: string, body: unknown): string[] {
  if (!specAvailable) return [];
  const validate = ajv.compile(publishedSchema(file, path, method));
  if (validate(body)) return [];
  return (validate.errors ?? []).map((e: { instancePath: string; message?: string }) => `${e.instancePath} ${e.message}`);
}
