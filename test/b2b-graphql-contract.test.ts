import { specDir } from './helpers/spec-dir.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type GraphQLFieldConfigMap,
  GraphQLObjectType,
  GraphQLSchema,
  buildSchema,
  findBreakingChanges,
  findDangerousChanges,
  parse,
  validate,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildB2bSchemaShape, printB2bSchema } from '../src/graphql/b2b/b2b-schema.js';

/**
 * The B2B schema is a compatible subset of the Buyer Portal's schema dump for the users operations,
 * and every document real clients send validates against it. The spec files are reference data read
 * here at test time (never copied into the project); ROSTER_SPEC_DIR points elsewhere if needed.
 */
const dumpPath = join(specDir, 'b2b-graphql', 'b2b-full-schema.graphql');

function readSpec(...parts: string[]): string {
  const path = join(specDir, ...parts);
  if (!existsSync(path)) throw new Error(`Spec file ${path} is missing: set ROSTER_SPEC_DIR to the shared spec directory`);
  return readFileSync(path, 'utf8');
}

const queriesInScope = ['users', 'user', 'userEmailCheck', 'userCompany', 'companyRoles', 'companyRole', 'userExtraFields', 'customerEmailCheck'];
const mutationsInScope = ['login', 'authorization', 'userCreate', 'userUpdate', 'userDelete'];

let subset: GraphQLSchema | undefined;

/** The dump cut down to the root fields in scope; the types they reach come along (built once). */
function dumpSubset(): GraphQLSchema {
  subset ??= buildDumpSubset();
  return subset;
}

function buildDumpSubset(): GraphQLSchema {
  const full = buildSchema(readSpec('b2b-graphql', 'b2b-full-schema.graphql'));
  const pick = (type: GraphQLObjectType | null | undefined, names: string[]) => {
    if (!type) throw new Error('the dump lacks a root type');
    const config = type.toConfig();
    const fields: GraphQLFieldConfigMap<unknown, unknown> = {};
    for (const name of names) {
      const field = config.fields[name];
      if (!field) throw new Error(`the dump lacks ${type.name}.${name}`);
      fields[name] = field;
    }
    return new GraphQLObjectType({ ...config, fields });
  };
  return new GraphQLSchema({ query: pick(full.getQueryType(), queriesInScope), mutation: pick(full.getMutationType(), mutationsInScope) });
}

describe('B2B GraphQL schema contract', () => {
  const ours = buildB2bSchemaShape();

  it('the committed schema/b2b.graphql is what the code prints', () => {
    const committed = readFileSync(new URL('../schema/b2b.graphql', import.meta.url), 'utf8');
    expect(printB2bSchema()).toBe(committed);
  });

  it('serves exactly the root fields in scope', () => {
    expect(Object.keys(ours.getQueryType()?.getFields() ?? {}).sort()).toEqual([...queriesInScope].sort());
    expect(Object.keys(ours.getMutationType()?.getFields() ?? {}).sort()).toEqual([...mutationsInScope].sort());
  });

  it('has no breaking change from the dump for the operations in scope', () => {
    expect(existsSync(dumpPath), dumpPath).toBe(true);
    expect(findBreakingChanges(dumpSubset(), ours)).toEqual([]);
  });

  it('adds only the deliberate optional input fields (the portal may send them)', () => {
    const dangerous = findDangerousChanges(dumpSubset(), ours).map((c) => `${c.type}: ${c.description}`);
    expect(dangerous.sort()).toEqual(
      [
        'OPTIONAL_INPUT_FIELD_ADDED: An optional field companyRoleName on input type UserInputType was added.',
        'OPTIONAL_INPUT_FIELD_ADDED: An optional field addChannel on input type UserUpdateInputType was added.',
        'OPTIONAL_INPUT_FIELD_ADDED: An optional field companyRoleName on input type UserUpdateInputType was added.',
        'OPTIONAL_INPUT_FIELD_ADDED: An optional field email on input type UserUpdateInputType was added.',
      ].sort(),
    );
  });

  it('invents no type: every named type exists in the dump with the same kind', () => {
    const subset = dumpSubset();
    for (const [name, type] of Object.entries(ours.getTypeMap())) {
      if (name.startsWith('__')) continue;
      const theirs = subset.getType(name);
      expect(theirs?.constructor.name, name).toBe(type.constructor.name);
    }
  });

  describe('documents real clients send validate', () => {
    const observed = readSpec('b2b-graphql', 'observed-requests.md');
    // inline code spans that are GraphQL documents (not JSON variables); `<userId>` placeholders become numbers
    const observedDocuments = [...observed.matchAll(/`((?:query|mutation)\b[^`]*|\{\s*[A-Za-z_][^`]*)`/g)]
      .map((m) => (m[1] ?? '').replace(/<[A-Za-z]+>/g, '42'))
      .filter((text) => !text.startsWith('{"'));

    it('finds every document of observed-requests.md (portal and Postman)', () => {
      expect(observedDocuments.length).toBe(20); // 12 Buyer Portal + 8 Postman
    });

    it.each(observedDocuments.map((d) => [d.slice(0, 60), d]))('observed: %s', (_label, text) => {
      const document = parse(text);
      expect(validate(ours, document)).toEqual([]);
      expect(validate(dumpSubset(), document)).toEqual([]);
    });

    const rest = readSpec('b2b-users-rest.md');
    const section10 = rest.slice(rest.indexOf('## 10.'), rest.indexOf('## 11.'));
    const block = section10.slice(section10.indexOf('```graphql') + '```graphql'.length, section10.lastIndexOf('```'));
    const restDocuments = block.split(/\n(?=query |mutation )/).map((d) => d.trim()).filter(Boolean);

    it('finds the seven documents of b2b-users-rest.md §10', () => {
      expect(restDocuments.length).toBe(7);
    });

    it.each(restDocuments.map((d) => [d.slice(0, 60), d]))('b2b-users-rest §10: %s', (_label, text) => {
      expect(validate(ours, parse(text))).toEqual([]);
    });

    // README.md quotes selections, not whole documents: each quote is wrapped in the operation it belongs to
    const readme = readSpec('b2b-graphql', 'README.md');
    const readmeQuotes: [string, string][] = [
      [
        'result { token storefrontLoginToken user { id bcId firstName lastName email } permissions { code permissionLevel } }',
        'mutation { login(loginData: {storeHash: "s", email: "e", password: "p", channelId: 1}) { %s } }',
      ],
      ['pageInfo { hasNextPage hasPreviousPage startCursor endCursor }', 'query { users(companyId: 1, first: 5, after: "x") { totalCount %s } }'],
      ['companyName companyStatus id', 'query { userCompany(userId: 1) { %s } }'],
      ['addressLine1 addressLine2 city state zipCode country', 'query { userCompany(userId: 1) { %s } }'],
      ['companyRoles(companyId)', 'query { companyRoles(companyId: 1) { edges { node { id name } } } }'],
      ['userEmailCheck(email)', 'query { userEmailCheck(email: "a@b.c") { userType } }'],
      ['loginType', 'mutation { authorization(authData: {bcToken: "t", channelId: 1}) { result { token %s } } }'],
      ['userDelete.message', 'mutation { userDelete(companyId: 1, userId: 2) { message } }'],
      ['users.totalCount', 'query { users(companyId: 1, first: 12, offset: 12) { totalCount } }'],
      ['userExtraFields', 'query { userExtraFields { fieldName labelName } }'],
      ['customerEmailCheck', 'query { customerEmailCheck(email: "a@b.c", storeHash: "s") { userType } }'],
      [
        'addChannel',
        'mutation { userUpdate(userData: {companyId: 1, userId: 2, email: "a@b.c", addChannel: true, companyRoleName: "Junior Buyer"}) { user { id } } }',
      ],
      [
        'companyRoleName',
        'mutation { userCreate(userData: {companyId: 1, email: "a@b.c", firstName: "A", lastName: "B", companyRoleName: "Junior Buyer", addChannel: true}) { user { id firstName lastName email role companyRoleId companyRoleName } } }',
      ],
    ];

    it.each(readmeQuotes)('README quote `%s`', (quote, template) => {
      expect(readme).toContain(`\`${quote}\``);
      expect(validate(ours, parse(template.replace('%s', quote)))).toEqual([]);
    });
  });
});
