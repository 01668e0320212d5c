import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminRoutes } from '../../src/emulator/admin-routes.js';
import type { Database } from '../../src/db/database.js';
import { ACCOUNT, ACCOUNT_TOKEN, addAccountUser, injector, STORE } from '../admin-support.js';
import { dialects } from '../helpers/dialects.js';
import { digestDatabase } from '../helpers/reliability-digest.js';
import { cloneDemo, createTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * The admin API under /_roster refuses a request its schemas do not allow, names what is wrong,
 * and changes nothing (it used to drop unknown properties silently and obey the rest).
 *
 * The bad requests are generated from the route table itself: every route of `adminRoutes` with a
 * body or query-string schema, every object level of the schema (`$`, `$.match`, `$.effect`,
 * `$.effect.graphqlError`, ...) and every declared property, in these classes:
 *   unknown-property   a property the object does not declare (typos of declared names, odd names)
 *   wrong-type         each JSON type the property is not (string, number, fraction, boolean, null,
 *                      array, object; for query strings: a repeated parameter, a non-numeral)
 *   not-an-object      the body (array, string, number, boolean; null and no body where required)
 *   out-of-range       minimum, maximum, enum, const, minLength, pattern
 *   missing-or-extra   required properties left out, oneOf with no or two branches, too few or too
 *                      many properties (minProperties / maxProperties)
 * Each is sent to the main world or to a fork (/f/{id}/_roster). The answer must be HTTP 400
 * `{"error": {"code": "BAD_REQUEST", "message", "path"?}}` naming the unknown property (message and
 * path) or the offending value (path), and nothing may change: the database of both worlds
 * (digestDatabase) and what the admin API shows of them (faults, snapshots, clock, rate limits,
 * forks, journal, events, data version).
 *
 * Inputs that hit a known, reported issue (`knownIssues` below) are left out (or only part of the
 * check is waived) and counted; delete an entry when its fix lands. ROSTER_FUZZ_SEED=<n> replays
 * a run with another seed.
 */
const SEED = Number(process.env.ROSTER_FUZZ_SEED ?? 20_260_301);
/** generated requests per template (a template: one route × class × place in the schema) */
const RUNS = 3;
const SNAPSHOT = 'before-strict-bodies';

// ---------------------------------------------------------------------------------------------
// The schema subset the admin routes use

interface JsonSchema {
  type?: 'object' | 'string' | 'integer' | 'number' | 'boolean';
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean;
  required?: string[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  pattern?: string;
  minProperties?: number;
  maxProperties?: number;
}

type CaseClass = 'unknown-property' | 'wrong-type' | 'not-an-object' | 'out-of-range' | 'missing-or-extra';

/** One generated bad request, relative to /_roster of a world. */
interface BadRequest {
  route: string;
  cls: CaseClass;
  method: string;
  /** under /_roster, path parameters filled ({fork} is the fork's id), with the query string */
  url: string;
  /** JSON text of the body; undefined: no body at all */
  payload?: string;
  /** the unknown property the answer must name */
  unknown?: string;
  /** the error.path the answer must carry */
  path?: string;
  /** the error.code (BAD_REQUEST unless the route documents its own) */
  code?: string;
  /** a wrong JSON type that ajv's coerceTypes would turn into the declared one */
  coerced?: boolean;
  /** the object holding the unknown property has more properties than its maxProperties */
  overMaxProperties?: boolean;
}

interface Template {
  route: string;
  cls: CaseClass;
  name: string;
  arbitrary: fc.Arbitrary<BadRequest>;
}

interface KnownIssue {
  id: string;
  description: string;
  /** 'case': the request is not sent; 'naming': it is, but the answer need not name the property */
  waives: 'case' | 'naming';
  matches(request: BadRequest): boolean;
}

/**
 * Reported, not yet fixed. The generators still produce these inputs; the harness counts them.
 */
const knownIssues: readonly KnownIssue[] = [];

// ---------------------------------------------------------------------------------------------
// Generators

const bodyPath = (segments: readonly string[]): string => `$${segments.map((s) => `.${s}`).join('')}`;

function schemaAt(root: JsonSchema, segments: readonly string[]): JsonSchema {
  let schema = root;
  for (const s of segments) {
    const next = schema.properties?.[s];
    if (!next) throw new Error(`no property ${s} in ${JSON.stringify(schema)}`);
    schema = next;
  }
  return schema;
}

/** A value the schema accepts as it is (no coercion). */
function validValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map(validValue));
  switch (schema.type) {
    case 'object':
      return baseObject(schema);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? (schema.minimum ?? 0) + 1000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000, noNaN: true, noDefaultInfinity: true });
    case 'string':
      if (schema.pattern !== undefined) {
        const pattern = new RegExp(schema.pattern, 'u');
        return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => pattern.test(s));
      }
      return fc.string({ minLength: schema.minLength ?? 0, maxLength: 20 });
    default:
      throw new Error(`no generator for ${JSON.stringify(schema)}`);
  }
}

/**
 * The properties a minimal valid object of the schema has besides `focus` (a property the case
 * sets itself) and `extra` keys it adds: the required ones, those of the oneOf branch that
 * requires the focus (else the first), and more until minProperties is met.
 */
function baseKeys(schema: JsonSchema, focus?: string, extra = 0): string[] {
  const names = new Set(schema.required ?? []);
  if (schema.oneOf) {
    const branch = schema.oneOf.find((b) => focus !== undefined && b.required?.includes(focus)) ?? schema.oneOf[0];
    for (const n of branch?.required ?? []) names.add(n);
  }
  if (focus !== undefined) names.delete(focus);
  const count = () => names.size + extra + (focus !== undefined ? 1 : 0);
  for (const n of Object.keys(schema.properties ?? {})) {
    if (count() >= (schema.minProperties ?? 0)) break;
    if (n !== focus) names.add(n);
  }
  return [...names];
}

function objectOf(schema: JsonSchema, keys: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  const props = schema.properties ?? {};
  return fc.record(Object.fromEntries(keys.map((k) => [k, validValue(props[k] ?? {})])) as Record<string, fc.Arbitrary<unknown>>);
}

function baseObject(schema: JsonSchema, focus?: string, extra = 0): fc.Arbitrary<Record<string, unknown>> {
  return objectOf(schema, baseKeys(schema, focus, extra));
}

/** A valid body with `leaf` at `segments` (each object on the way minimal and valid). */
function place(schema: JsonSchema, segments: readonly string[], leaf: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  const [head, ...rest] = segments;
  if (head === undefined) return leaf;
  return fc.tuple(baseObject(schema, head), place(schemaAt(schema, [head]), rest, leaf)).map(([o, v]) => ({ ...o, [head]: v }));
}

/** Every object level of a schema: [] for the root, ['match'], ['effect', 'graphqlError'], ... */
function objectLevels(schema: JsonSchema, at: string[] = []): string[][] {
  if (schema.type !== 'object') return [];
  const levels = [at];
  for (const [name, child] of Object.entries(schema.properties ?? {})) levels.push(...objectLevels(child, [...at, name]));
  return levels;
}

/** Every declared property, at any depth. */
function propertyPaths(schema: JsonSchema, at: string[] = []): string[][] {
  const paths: string[][] = [];
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    paths.push([...at, name]);
    if (child.type === 'object') paths.push(...propertyPaths(child, [...at, name]));
  }
  return paths;
}

/** Names a schema does not declare: typos of the declared ones, and plain odd ones. */
function unknownNames(declared: readonly string[], querySafe: boolean): fc.Arbitrary<string> {
  const typos = declared.length
    ? [
        fc
          .tuple(fc.constantFrom(...declared), fc.constantFrom('drop-last', 'plural', 'upper', 'capital', 'space', 'snake'))
          .map(([n, how]) => {
            if (how === 'drop-last') return n.slice(0, -1);
            if (how === 'plural') return `${n}s`;
            if (how === 'upper') return n.toUpperCase();
            if (how === 'capital') return n.charAt(0).toUpperCase() + n.slice(1);
            if (how === 'space') return `${n} `;
            return n.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
          }),
      ]
    : [];
  const odd = querySafe ? [fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,14}$/)] : [fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,14}$/), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 })];
  return fc
    .oneof(...typos, fc.constantFrom('fault', 'extra', 'colour', 'toString', 'hasOwnProperty', 'prototype'), ...odd)
    .filter((n) => n.length > 0 && !declared.includes(n) && n !== '__proto__' && n !== 'constructor' && !/^\d+$/.test(n));
}

type JsonKind = 'string' | 'integer' | 'fraction' | 'boolean' | 'null' | 'array' | 'object';
const jsonKinds: readonly JsonKind[] = ['string', 'integer', 'fraction', 'boolean', 'null', 'array', 'object'];

/** One value of each kind: a property whose type accepts it gets no wrong value of that kind. */
const kindSample: Record<JsonKind, unknown> = { string: 'x', integer: 1, fraction: 1.5, boolean: true, null: null, array: [], object: {} };

const scalar = fc.oneof(fc.string({ maxLength: 6 }), fc.integer({ min: -1000, max: 1000 }), fc.boolean(), fc.constant(null));
const valuesOfKind: Record<JsonKind, fc.Arbitrary<unknown>> = {
  string: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('', 'true', 'false', '1', '0', '-1', '1.5', '500', 'null', 'b2b-rest', 'x')),
  integer: fc.oneof(fc.constantFrom(0, 1, -1, 500), fc.integer({ min: -1_000_000, max: 1_000_000 })),
  fraction: fc.oneof(fc.constantFrom(0.5, 1.5, -2.25), fc.double({ min: -1e6, max: 1e6, noNaN: true }).filter((n) => !Number.isInteger(n))),
  boolean: fc.boolean(),
  null: fc.constant(null),
  array: fc.array(scalar, { maxLength: 3 }),
  object: fc.dictionary(fc.stringMatching(/^[a-z]{1,5}$/), scalar, { maxKeys: 3 }),
};

/** Any small JSON value (objects without __proto__ / constructor keys, which the JSON parser refuses first). */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(scalar, valuesOfKind.array, valuesOfKind.object);

function isJsonType(schema: JsonSchema, value: unknown): boolean {
  if (schema.anyOf) return schema.anyOf.some((s) => isJsonType(s, value));
  switch (schema.type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return true;
  }
}

/** Whether ajv with coerceTypes: "array" turns the value into the schema's type (ajv's coerceData rules). */
function isCoercible(schema: JsonSchema, value: unknown): boolean {
  if (schema.anyOf) return schema.anyOf.some((s) => isCoercible(s, value));
  if (Array.isArray(value)) return value.length === 1 && (isJsonType(schema, value[0]) || isCoercible(schema, value[0]));
  switch (schema.type) {
    case 'string':
      return typeof value === 'number' || typeof value === 'boolean' || value === null;
    case 'number':
      return typeof value === 'boolean' || value === null || (typeof value === 'string' && value !== '' && !Number.isNaN(Number(value)));
    case 'integer':
      return typeof value === 'boolean' || value === null || (typeof value === 'string' && value !== '' && !Number.isNaN(Number(value)) && !(Number(value) % 1));
    case 'boolean':
      return value === 'true' || value === 'false' || value === 1 || value === 0 || value === null;
    default:
      return false;
  }
}

/** Values out of the schema's range, one arbitrary per keyword it has. */
function outOfRange(schema: JsonSchema): { keyword: string; values: fc.Arbitrary<unknown> }[] {
  const out: { keyword: string; values: fc.Arbitrary<unknown> }[] = [];
  const integral = schema.type === 'integer';
  if (schema.minimum !== undefined) {
    const m = schema.minimum;
    out.push({
      keyword: 'minimum',
      values: integral
        ? fc.oneof(fc.constant(m - 1), fc.integer({ min: m - 1_000_000, max: m - 1 }))
        : fc.oneof(fc.constant(m - 0.5), fc.double({ min: m - 1e6, max: m, maxExcluded: true, noNaN: true })).filter((v) => v < m),
    });
  }
  if (schema.maximum !== undefined) {
    const m = schema.maximum;
    out.push({
      keyword: 'maximum',
      values: integral
        ? fc.oneof(fc.constant(m + 1), fc.integer({ min: m + 1, max: m + 1_000_000 }))
        : fc.oneof(fc.constant(m + 0.5), fc.double({ min: m, max: m + 1e6, minExcluded: true, noNaN: true })).filter((v) => v > m),
    });
  }
  if (schema.enum) {
    const allowed = schema.enum;
    const variants = allowed.flatMap((v) => (typeof v === 'string' ? [v.toUpperCase(), `${v} `, v.replace(/-/g, '_')] : []));
    out.push({ keyword: 'enum', values: fc.oneof(fc.constantFrom(...variants), fc.string({ maxLength: 12 })).filter((v) => !allowed.includes(v)) });
  }
  if ('const' in schema) {
    const wanted = schema.const;
    const { const: _wanted, ...typeOnly } = schema;
    out.push({ keyword: 'const', values: validValue(typeOnly).filter((v) => v !== wanted) });
  }
  if (schema.minLength !== undefined && schema.minLength > 0) out.push({ keyword: 'minLength', values: fc.string({ maxLength: schema.minLength - 1 }) });
  if (schema.pattern !== undefined) {
    const pattern = new RegExp(schema.pattern, 'u');
    out.push({
      keyword: 'pattern',
      values: fc.oneof(fc.constantFrom('', 'a'.repeat(101), 'has space', 'a/b', '../x', 'é', 'x\u0000'), fc.string({ unit: 'grapheme', maxLength: 20 })).filter((v) => !pattern.test(v)),
    });
  }
  return out;
}

/** Path parameters: the few values a URL needs (a snapshot, the fork, a rate-limit kind and its key, a tenant). */
function urlOf(url: string): fc.Arbitrary<string> {
  const unknown = [...url.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]).filter((p) => !['kind', 'key', 'name', 'id', 'uuid', 'storeHash'].includes(p as string));
  if (unknown.length > 0) throw new Error(`no value for path parameter(s) ${unknown.join(', ')} of ${url}: teach urlOf()`);
  return fc
    .constantFrom('account', 'b2b')
    .map((kind) =>
      url
        .replace(':kind', kind)
        .replace(':key', kind === 'account' ? ACCOUNT : STORE)
        .replace(':name', SNAPSHOT)
        .replace(':uuid', ACCOUNT)
        .replace(':storeHash', STORE)
        .replace(':id', '{fork}'),
    );
}

function bodyTemplates(route: (typeof adminRoutes)[number]): Template[] {
  const schema = route.body as JsonSchema;
  const name = `${route.method} ${route.url}`;
  const url = urlOf(route.url);
  const templates: Template[] = [];
  const add = (cls: CaseClass, what: string, arbitrary: fc.Arbitrary<Omit<BadRequest, 'route' | 'cls' | 'method' | 'url'>>) =>
    templates.push({ route: name, cls, name: `${name} ${cls} ${what}`, arbitrary: fc.tuple(url, arbitrary).map(([u, r]) => ({ ...r, route: name, cls, method: route.method, url: u })) });
  const json = (value: unknown) => JSON.stringify(value);

  // the body itself
  const notObjects: fc.Arbitrary<unknown>[] = [valuesOfKind.array, valuesOfKind.string, valuesOfKind.integer, valuesOfKind.fraction, valuesOfKind.boolean];
  if (route.bodyRequired) notObjects.push(fc.constant(null));
  add('not-an-object', '$', fc.oneof(...notObjects).map((v) => ({ payload: json(v), path: '$' })));
  if (route.bodyRequired) add('not-an-object', 'no body', fc.constant({}));

  // an unknown property on every object level that declares its properties
  for (const level of objectLevels(schema)) {
    const at = schemaAt(schema, level);
    if (at.additionalProperties !== false) continue;
    const declared = Object.keys(at.properties ?? {});
    const withUnknown = (fill: 'counted' | 'not counted') =>
      fc.tuple(unknownNames(declared, false), anyValue).chain(([unknown, value]) => {
        const keys = baseKeys(at, undefined, fill === 'counted' ? 1 : 0);
        const leaf = objectOf(at, keys).map((o) => ({ ...o, [unknown]: value }));
        return place(schema, level, leaf).map((body) => ({
          payload: json(body),
          unknown,
          path: bodyPath([...level, unknown]),
          overMaxProperties: at.maxProperties !== undefined && keys.length + 1 > at.maxProperties,
        }));
      });
    add('unknown-property', bodyPath(level), withUnknown('counted'));
    // an otherwise complete object (minProperties met without the unknown one)
    if (baseKeys(at, undefined, 1).length !== baseKeys(at, undefined, 0).length) add('unknown-property', `${bodyPath(level)} (complete)`, withUnknown('not counted'));
  }

  // each declared property: every JSON type it is not, and every range it has
  for (const segments of propertyPaths(schema)) {
    const prop = schemaAt(schema, segments);
    const path = bodyPath(segments);
    for (const kind of jsonKinds) {
      if (isJsonType(prop, kindSample[kind])) continue;
      const wrong = valuesOfKind[kind].filter((v) => !isJsonType(prop, v));
      add('wrong-type', `${path} ${kind}`, wrong.chain((v) => place(schema, segments, fc.constant(v)).map((body) => ({ payload: json(body), path, coerced: isCoercible(prop, v) }))));
    }
    for (const { keyword, values } of outOfRange(prop)) {
      add('out-of-range', `${path} ${keyword}`, values.chain((v) => place(schema, segments, fc.constant(v)).map((body) => ({ payload: json(body), path }))));
    }
  }

  // required properties left out, oneOf with no or two branches, too few / too many properties
  for (const level of objectLevels(schema)) {
    const at = schemaAt(schema, level);
    const path = bodyPath(level);
    const wrap = (leaf: fc.Arbitrary<Record<string, unknown>>) => place(schema, level, leaf).map((body) => ({ payload: json(body), path }));
    for (const required of at.required ?? []) {
      add('missing-or-extra', `${path} without ${required}`, wrap(baseObject(at).map(({ [required]: _left, ...rest }) => rest)));
    }
    if (at.oneOf) {
      const branches = at.oneOf.map((b) => b.required ?? []);
      const keys = [...new Set(branches.flat())];
      const satisfied = (present: string[]) => branches.filter((b) => b.every((r) => present.includes(r))).length;
      add('missing-or-extra', `${path} oneOf`, wrap(fc.subarray(keys).filter((present) => satisfied(present) !== 1).chain((present) => objectOf(at, present))));
    }
    const declared = Object.keys(at.properties ?? {});
    if (at.minProperties !== undefined && at.minProperties > 0) {
      const min = at.minProperties;
      add('missing-or-extra', `${path} minProperties`, wrap(fc.subarray(declared, { maxLength: min - 1 }).chain((present) => objectOf(at, present))));
    }
    if (at.maxProperties !== undefined && declared.length > at.maxProperties) {
      add('missing-or-extra', `${path} maxProperties`, wrap(fc.subarray(declared, { minLength: at.maxProperties + 1 }).chain((present) => objectOf(at, present))));
    }
  }
  return templates;
}

function queryTemplates(route: (typeof adminRoutes)[number]): Template[] {
  const schema = route.querystring as JsonSchema;
  const name = `${route.method} ${route.url}`;
  const url = urlOf(route.url);
  const templates: Template[] = [];
  const add = (cls: CaseClass, what: string, query: fc.Arbitrary<{ query: string; unknown?: string; path: string }>) =>
    templates.push({
      route: name,
      cls,
      name: `${name} ${cls} ${what}`,
      arbitrary: fc.tuple(url, query).map(([u, { query: q, ...r }]) => ({ ...r, route: name, cls, method: route.method, url: `${u}?${q}` })),
    });
  const pair = (key: string, value: string) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`;
  const declared = Object.keys(schema.properties ?? {});

  if (schema.additionalProperties === false) {
    add(
      'unknown-property',
      '?',
      fc.tuple(unknownNames(declared, true), fc.string({ maxLength: 8 })).map(([unknown, value]) => ({ query: pair(unknown, value), unknown, path: `?${unknown}` })),
    );
  }
  for (const [param, prop] of Object.entries(schema.properties ?? {})) {
    const path = `?${param}`;
    // a query string carries strings: wrong types are strings that do not coerce, and a repeated parameter
    const strings = fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('', 'yes', 'no', 'null', '1.5', 'abc', '1e400', 'NaN', '[]', '{}')).filter((v) => !isJsonType(prop, v) && !isCoercible(prop, v));
    if (prop.type !== 'string') add('wrong-type', `${path} string`, strings.map((v) => ({ query: pair(param, v), path })));
    add(
      'wrong-type',
      `${path} repeated`,
      fc.array(validValue(prop).map(String), { minLength: 2, maxLength: 3 }).map((vs) => ({ query: vs.map((v) => pair(param, v)).join('&'), path })),
    );
    for (const { keyword, values } of outOfRange(prop)) add('out-of-range', `${path} ${keyword}`, values.map((v) => ({ query: pair(param, String(v)), path })));
  }
  return templates;
}

/** The classes a route's schemas make possible (what the coverage check asks to have been sent). */
function applicableClasses(route: (typeof adminRoutes)[number]): Set<CaseClass> {
  const classes = new Set<CaseClass>();
  const ranged = (s: JsonSchema) => outOfRange(s).length > 0;
  const constrained = (s: JsonSchema) => s.required !== undefined || s.oneOf !== undefined || s.minProperties !== undefined || s.maxProperties !== undefined;
  for (const [schema, isBody] of [
    [route.body as JsonSchema | undefined, true],
    [route.querystring as JsonSchema | undefined, false],
  ] as const) {
    if (!schema) continue;
    if (isBody) classes.add('not-an-object');
    if (objectLevels(schema).some((l) => schemaAt(schema, l).additionalProperties === false)) classes.add('unknown-property');
    const props = propertyPaths(schema).map((p) => schemaAt(schema, p));
    if (props.length > 0) classes.add('wrong-type');
    if (props.some(ranged)) classes.add('out-of-range');
    if (isBody && objectLevels(schema).some((l) => constrained(schemaAt(schema, l)))) classes.add('missing-or-extra');
  }
  return classes;
}

const schemaRoutes = adminRoutes.filter((r) => r.body !== undefined || r.querystring !== undefined);
const templatesByRoute = schemaRoutes.map((route) => ({
  name: `${route.method} ${route.url}`,
  templates: [...(route.body ? bodyTemplates(route) : []), ...(route.querystring ? queryTemplates(route) : [])],
}));

/**
 * POST /fixtures declares only `{"type": "object"}`: past the schema, its fixture validator must
 * refuse an unknown key on every object of a fixture with the key's JSON path (error FIXTURE_INVALID).
 */
function fixtureObjectPaths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.length > 0 ? fixtureObjectPaths(value[0], [...at, 0]) : [];
  if (typeof value !== 'object' || value === null) return [];
  const paths = [at];
  for (const [k, v] of Object.entries(value)) paths.push(...fixtureObjectPaths(v, [...at, k]));
  return paths;
}
const fixturePath = (segments: readonly (string | number)[]) => `$${segments.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('')}`;

// ---------------------------------------------------------------------------------------------

describe.each(dialects)('admin API refuses bodies and query strings its schemas do not allow, on %s', (dialect) => {
  let t: TestApp;
  let forkId: string;
  let forkDatabase: Database;
  let baseline: unknown;
  const tally = { sent: new Map<string, number>(), skipped: new Map<string, number>() };
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

  const inject = (method: string, url: string, payload?: string): Promise<LightMyRequestResponse> =>
    t.app.inject({
      method: method as 'GET',
      url,
      ...(payload !== undefined ? { payload, headers: { 'content-type': 'application/json' } } : {}),
    });

  const admin = async (method: string, url: string, body?: unknown) => {
    const res = await inject(method, url, body === undefined ? undefined : JSON.stringify(body));
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.statusCode === 204 ? undefined : res.json();
  };

  /** What a refused request must leave as it was: both databases and everything the admin API shows. */
  async function state(): Promise<unknown> {
    const shown = async (prefix: string) => {
      const out: Record<string, unknown> = {};
      for (const path of ['', '/faults', '/snapshots', '/clock', '/rate-limits', '/forks', '/requests?limit=10000', '/events?limit=10000']) {
        const body = (await admin('GET', `${prefix}/_roster${path}`)) as Record<string, unknown>;
        // PostgreSQL refills its pool of ready fork schemas in the background
        if (path === '/forks') delete body.warmSchemas;
        out[path || '/'] = body;
      }
      return out;
    };
    return {
      main: { database: await digestDatabase(t.database), admin: await shown('') },
      fork: { database: await digestDatabase(forkDatabase), admin: await shown(`/f/${forkId}`) },
    };
  }

  beforeAll(async () => {
    t = await createTestApp({ dialect, now: Date.UTC(2031, 0, 15, 12) });
    // a world with something to lose: data that a reset would undo, a quota override with a used
    // bucket, a fault rule, journal entries, events, a snapshot, and a fork with the same
    expect((await addAccountUser(injector(t), '', 'strict.bodies@example.com')).statusCode).toBe(200);
    forkId = ((await admin('POST', '/_roster/forks')) as { id: string }).id;
    const fork = t.app.controls.worlds.get(forkId);
    if (!fork) throw new Error('fork not found');
    forkDatabase = fork.database;
    for (const prefix of ['', `/f/${forkId}`]) {
      await admin('PUT', `${prefix}/_roster/rate-limits/account/${ACCOUNT}`, { requests: 1000, windowMs: 3_600_000 });
      await admin('PUT', `${prefix}/_roster/rate-limits/b2b`, { requests: 5000, windowMs: 60_000 });
      const query = await t.app.inject({
        method: 'POST',
        url: `${prefix}/accounts/${ACCOUNT}/graphql`,
        headers: { 'x-auth-token': ACCOUNT_TOKEN, 'content-type': 'application/json' },
        payload: { query: '{ account { id } }' },
      });
      expect(query.statusCode).toBe(200);
      await admin('POST', `${prefix}/_roster/faults`, { match: { operation: 'noSuchOperation' }, effect: { status: 503 } });
      await admin('POST', `${prefix}/_roster/snapshots`, { name: SNAPSHOT });
    }
    baseline = await state();
    const shown = baseline as { main: { admin: Record<string, { buckets?: unknown[]; faults?: unknown[]; snapshots?: unknown[]; requests?: unknown[] }> } };
    expect(shown.main.admin['/rate-limits']?.buckets?.length).toBeGreaterThan(0);
    expect(shown.main.admin['/faults']?.faults).toHaveLength(1);
    expect(shown.main.admin['/snapshots']?.snapshots).toHaveLength(1);
    expect(shown.main.admin['/requests?limit=10000']?.requests?.length).toBeGreaterThan(0);
  });
  afterAll(async () => t.close());

  /** Sends one bad request to a world, checks the answer and that nothing changed; returns the error. */
  async function refused(request: BadRequest, world: 'main' | 'fork'): Promise<Record<string, unknown> | undefined> {
    const issue = knownIssues.find((k) => k.matches(request));
    if (issue?.waives === 'case') {
      bump(tally.skipped, `${request.route} ${request.cls} ${issue.id}`);
      return undefined;
    }
    bump(tally.sent, `${request.route} ${request.cls}`);
    const prefix = world === 'fork' ? `/f/${forkId}` : '';
    const url = `${prefix}/_roster${request.url === '/' ? '' : request.url.replace('{fork}', forkId)}`;
    const res = await inject(request.method, url, request.payload);
    const shown = `${request.method} ${url} ${request.payload === undefined ? '<no body>' : request.payload.slice(0, 600)}\n→ ${res.statusCode} ${res.body.slice(0, 600)}`;
    expect(res.statusCode, shown).toBe(400);
    expect(String(res.headers['content-type']), shown).toMatch(/^application\/json/);
    const body = res.json() as { error?: Record<string, unknown> };
    expect(Object.keys(body), shown).toEqual(['error']);
    const error = body.error ?? {};
    expect(Object.keys(error).filter((k) => !['code', 'message', 'path'].includes(k)), shown).toEqual([]);
    expect(error.code, shown).toBe(request.code ?? 'BAD_REQUEST');
    expect(typeof error.message === 'string' && error.message.length > 0, shown).toBe(true);
    if (error.path !== undefined) expect(typeof error.path, shown).toBe('string');
    if (issue?.waives !== 'naming') {
      if (request.unknown !== undefined) expect(String(error.message), shown).toContain(`"${request.unknown}"`);
      if (request.path !== undefined) expect(error.path, shown).toBe(request.path);
    } else bump(tally.skipped, `${request.route} ${request.cls} ${issue.id} (naming only)`);
    expect(await state(), `changed by ${shown}`).toEqual(baseline);
    return error;
  }

  async function runTemplates(templates: readonly Template[]): Promise<void> {
    for (const [index, template] of templates.entries()) {
      const details = await fc.check(
        fc.asyncProperty(template.arbitrary, fc.constantFrom<'main' | 'fork'>('main', 'fork'), async (request, world) => {
          await refused(request, world);
        }),
        { numRuns: RUNS, seed: SEED + index, endOnFailure: true },
      );
      if (details.failed) {
        baseline = await state(); // the next test is judged on its own
        const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
        throw new Error(`${template.name} (seed ${details.seed}):\n${cause}`);
      }
    }
  }

  it.each(templatesByRoute)('$name', async ({ templates }) => {
    expect(templates.length).toBeGreaterThan(0);
    await runTemplates(templates);
  });

  it('POST /fixtures: an unknown key on any object of a fixture is refused with its path', async () => {
    const sites = fixtureObjectPaths(cloneDemo())
      // a map keyed by store hash, not a record with declared keys
      .filter((p) => p.join('.') !== 'settings.storefrontJwtSecrets');
    expect(sites.length).toBeGreaterThan(8);
    const request = fc
      .tuple(fc.constantFrom(...sites), unknownNames([], false), anyValue)
      .filter(([site, unknown]) => {
        let at: unknown = cloneDemo();
        for (const s of site) at = (at as Record<string | number, unknown>)[s];
        return !Object.keys(at as object).includes(unknown);
      })
      .map(([site, unknown, value]): BadRequest => {
        const fixture = cloneDemo();
        let at: unknown = fixture;
        for (const s of site) at = (at as Record<string | number, unknown>)[s];
        (at as Record<string, unknown>)[unknown] = value;
        return { route: 'POST /fixtures', cls: 'unknown-property', method: 'POST', url: '/fixtures', payload: JSON.stringify(fixture), unknown, path: fixturePath([...site, unknown]), code: 'FIXTURE_INVALID' };
      });
    const details = await fc.check(fc.asyncProperty(request, fc.constantFrom<'main' | 'fork'>('main', 'fork'), async (r, world) => {
      await refused(r, world);
    }), { numRuns: 12, seed: SEED, endOnFailure: true });
    if (details.failed) {
      baseline = await state();
      throw new Error(`(seed ${details.seed}) ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`);
    }
  });

  it('every route with a schema met every class of bad input that applies to it', () => {
    for (const route of schemaRoutes) {
      const name = `${route.method} ${route.url}`;
      for (const cls of applicableClasses(route)) {
        const leftOut = [...tally.skipped].filter(([key]) => key.startsWith(`${name} ${cls} `));
        expect(tally.sent.get(`${name} ${cls}`) ?? 0, `${name} ${cls} (left out as known issues: ${JSON.stringify(leftOut)})`).toBeGreaterThan(0);
      }
    }
  });

  it('refuses the three reported examples as they were sent, and accepts them corrected', async () => {
    const examples = [
      {
        url: '/reset',
        bad: { fault: true },
        message: 'The body has an unknown property "fault"; nothing was changed.',
        unknown: 'fault',
        path: '$.fault',
        good: { faults: true },
      },
      {
        url: '/faults',
        bad: { match: { api: 'b2b-rest', colour: 'red' }, effect: { status: 500 } },
        message: 'The body has an unknown property "colour" at $.match; nothing was changed.',
        unknown: 'colour',
        path: '$.match.colour',
        good: { match: { api: 'b2b-rest' }, effect: { status: 500 } },
      },
      { url: '/snapshots', bad: { name: 'x', extra: 1 }, message: 'The body has an unknown property "extra"; nothing was changed.', unknown: 'extra', path: '$.extra', good: { name: 'x' } },
    ];
    for (const world of ['main', 'fork'] as const) {
      for (const example of examples) {
        const request: BadRequest = { route: `POST ${example.url}`, cls: 'unknown-property', method: 'POST', url: example.url, payload: JSON.stringify(example.bad), unknown: example.unknown, path: example.path };
        expect(await refused(request, world)).toEqual({ code: 'BAD_REQUEST', message: example.message, path: example.path });
      }
      // corrected, each is obeyed (so the refusals above were not a route refusing everything)
      const prefix = world === 'fork' ? `/f/${forkId}` : '';
      const faultsBefore = ((await admin('GET', `${prefix}/_roster/faults`)) as { faults: unknown[] }).faults;
      expect(faultsBefore).toHaveLength(1);
      const reset = await inject('POST', `${prefix}/_roster/reset`, JSON.stringify(examples[0]?.good));
      expect(reset.statusCode, reset.body).toBe(200);
      expect(reset.json().cleared).toContain('faults');
      expect(await admin('GET', `${prefix}/_roster/faults`)).toEqual({ faults: [] });

      const added = await inject('POST', `${prefix}/_roster/faults`, JSON.stringify(examples[1]?.good));
      expect(added.statusCode, added.body).toBe(201);
      expect(added.json()).toMatchObject({ match: { api: 'b2b-rest' }, effect: { status: 500 } });
      expect(((await admin('GET', `${prefix}/_roster/faults`)) as { faults: unknown[] }).faults).toEqual([added.json()]);

      const taken = await inject('POST', `${prefix}/_roster/snapshots`, JSON.stringify(examples[2]?.good));
      expect(taken.statusCode, taken.body).toBe(201);
      expect(((await admin('GET', `${prefix}/_roster/snapshots`)) as { snapshots: { name: string }[] }).snapshots.map((s) => s.name)).toEqual([SNAPSHOT, 'x']);
      // the next world is judged from here
      baseline = await state();
    }
  });
});
