import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GREAT_BUYS, STORE, b2bGraphqlFixture, people, postman, signIn } from './helpers/b2b-graphql-client.js';
import { dialects } from './helpers/dialects.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/**
 * The remaining query shapes: every `UserType` field and its JSON type, the `users` filters,
 * `companyRole` with permissions, `userEmailCheck.userInfo`, and the token-less `customerEmailCheck`.
 */
const NOW = Date.UTC(2026, 10, 29, 12, 0, 0);

describe.each(dialects)('B2B GraphQL queries on %s', (dialect) => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await createTestApp({ dialect, fixture: b2bGraphqlFixture(), now: NOW });
    token = await signIn(t.app, people.admin.email);
  });
  afterAll(async () => t.close());

  it('a UserType node carries every field with its JSON type', async () => {
    const created = await postman(
      t.app,
      token,
      'mutation { userCreate(userData: { companyId: 123456, email: "Full.Node@greatbuys.com", firstName: "Full", lastName: "Node", phone: "555", companyRoleId: 5, uuid: "ext-42", extraFields: [{fieldName: "Cost center", fieldValue: "A1"}] }) { user { id bcId } } }',
    );
    expect(created.body).not.toHaveProperty('errors');
    const { id, bcId } = created.body.data.userCreate.user;
    const res = await postman(
      t.app,
      token,
      `{ user(companyId: 123456, userId: ${id}) { id createdAt updatedAt firstName lastName email phone bcId role masqueradingCompanyId uuid extraFields { fieldName fieldValue } companyRoleId companyRoleName companyInfo { companyId companyName companyAddress companyCountry companyState companyCity companyZipCode phoneNumber bcId } } }`,
    );
    expect(res.body).toEqual({
      data: {
        user: {
          id,
          createdAt: NOW / 1000,
          updatedAt: NOW / 1000,
          firstName: 'Full',
          lastName: 'Node',
          email: 'Full.Node@greatbuys.com',
          phone: '555',
          bcId,
          role: 2,
          masqueradingCompanyId: null,
          uuid: 'ext-42',
          extraFields: [{ fieldName: 'Cost center', fieldValue: 'A1' }],
          companyRoleId: 5,
          companyRoleName: 'User Manager',
          companyInfo: {
            companyId: '123456',
            companyName: 'Great Buys',
            companyAddress: null,
            companyCountry: null,
            companyState: null,
            companyCity: null,
            companyZipCode: null,
            phoneNumber: null,
            bcId: null,
          },
        },
      },
    });
    expect(typeof bcId).toBe('number');
  });

  it('userExtraFields: the field names the store\'s users carry, as optional text fields (kept for 60 s)', async () => {
    const query = '{ userExtraFields { fieldName fieldType isRequired defaultValue maximumLength numberOfRows maximumValue listOfValue visibleToEnduser labelName } }';
    const costCenter = {
      fieldName: 'Cost center',
      fieldType: 0,
      isRequired: false,
      defaultValue: '',
      maximumLength: '150',
      numberOfRows: null,
      maximumValue: null,
      listOfValue: [],
      visibleToEnduser: true,
      labelName: 'Cost center',
    };
    expect((await postman(t.app, token, query)).body).toEqual({ data: { userExtraFields: [costCenter] } });

    const created = await postman(
      t.app,
      token,
      'mutation { userCreate(userData: { companyId: 123456, email: "region@greatbuys.com", firstName: "Re", lastName: "Gion", role: 1, extraFields: [{fieldName: "Region", fieldValue: "EU"}, {fieldName: "Cost center", fieldValue: "B2"}] }) { user { id } } }',
    );
    expect(created.body).not.toHaveProperty('errors');
    expect((await postman(t.app, token, query)).body.data.userExtraFields.map((f: { fieldName: string }) => f.fieldName)).toEqual(['Cost center']);
    t.clock.advance(60_000);
    expect((await postman(t.app, token, query)).body.data.userExtraFields).toEqual([costCenter, { ...costCenter, fieldName: 'Region', labelName: 'Region' }]);
    expect((await postman(t.app, undefined, query)).body.errors[0].extensions).toEqual({ code: 40101 });
  });

  it('filters users by email, firstName and lastName (case-insensitive, exact) and by companyRoleId as a number or numeric string', async () => {
    const ids = async (args: string, variables?: Record<string, unknown>) => {
      const declare = args.includes('$r') ? '($r: Decimal)' : '';
      const res = await postman(t.app, token, `query ${declare} { users(companyId: 123456, first: 50, ${args}) { totalCount edges { node { id } } } }`, variables);
      expect(res.body).not.toHaveProperty('errors');
      const edges = res.body.data.users.edges.map((e: { node: { id: string } }) => Number(e.node.id));
      expect(res.body.data.users.totalCount).toBe(edges.length);
      return edges;
    };
    expect(await ids('email: " P.CURIE@greatbuys.com "')).toEqual([people.senior.id]);
    expect(await ids('firstName: "marie"')).toEqual([people.admin.id]);
    expect(await ids('lastName: "curie"')).toEqual([people.userManager.id, people.senior.id, people.admin.id]);
    expect(await ids('lastName: "curie", firstName: "Eve"')).toEqual([people.userManager.id]);
    expect(await ids('email: "", firstName: "", search: ""')).toHaveLength(9); // 7 fixture users + 2 created above
    const custom = await ids('companyRoleId: $r', { r: 6 });
    expect(custom).toEqual([people.groupManager.id]);
    expect(await ids('companyRoleId: $r', { r: '6' })).toEqual(custom);
    expect(await ids('companyRoleId: 2')).toEqual([people.otherChannel.id, people.junior.id]);
    expect(await ids('role: 3')).toEqual([people.superAdmin.id]);
    expect(await ids('role: $r', { r: '0' })).toEqual([people.admin.id]);
  });

  it('companyRole: a role with its permissions; predefined and custom; unknown is 404', async () => {
    const custom = await postman(t.app, token, '{ companyRole(roleId: 5) { id name roleType roleLevel permissions { id name isCustom code permissionLevel } } }');
    expect(custom.body).toEqual({
      data: {
        companyRole: {
          id: '5',
          name: 'User Manager',
          roleType: 2,
          roleLevel: 1,
          permissions: ['create_user', 'get_user_detail', 'get_users', 'update_user'].map((code) => ({ id: code, name: code, isCustom: false, code, permissionLevel: 2 })),
        },
      },
    });
    const junior = await postman(t.app, token, 'query ($c: Int) { companyRole(companyId: $c, roleId: 2) { id name roleType permissions { code permissionLevel } } }', { c: GREAT_BUYS });
    expect(junior.body.data.companyRole).toMatchObject({ id: '2', name: 'Junior Buyer', roleType: 1 });
    expect(junior.body.data.companyRole.permissions).toContainEqual({ code: 'create_quote', permissionLevel: 1 });
    expect(junior.body.data.companyRole.permissions.map((p: { code: string }) => p.code)).not.toContain('get_users');
    const unknown = await postman(t.app, token, '{ companyRole(roleId: 77) { id } }');
    expect(unknown.body).toEqual({
      errors: [{ message: 'Role matching query does not exist.', locations: [{ line: 1, column: 3 }], path: ['companyRole'], extensions: { code: 404 } }],
      data: { companyRole: null },
    });
  });

  it('companyRoles: search, positions as cursors, last', async () => {
    const search = await postman(t.app, token, '{ companyRoles(search: "BUYER") { totalCount edges { node { id name } } } }');
    expect(search.body.data.companyRoles).toEqual({ totalCount: 2, edges: [{ node: { id: '1', name: 'Senior Buyer' } }, { node: { id: '2', name: 'Junior Buyer' } }] });
    const first = await postman(t.app, token, '{ companyRoles(first: 2) { edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }');
    const page = first.body.data.companyRoles;
    expect(page.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(['Admin', 'Senior Buyer']);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const next = await postman(t.app, token, 'query ($a: String) { companyRoles(first: 2, after: $a) { edges { node { name } } pageInfo { hasNextPage hasPreviousPage } } }', { a: page.pageInfo.endCursor });
    expect(next.body.data.companyRoles).toEqual({
      edges: [{ node: { name: 'Junior Buyer' } }, { node: { name: 'User Manager' } }],
      pageInfo: { hasNextPage: true, hasPreviousPage: true },
    });
    const last = await postman(t.app, token, '{ companyRoles(last: 1) { edges { node { name } } } }');
    expect(last.body.data.companyRoles.edges).toEqual([{ node: { name: 'Group Manager' } }]);
  });

  it('userEmailCheck.userInfo: every field for a Company user and for a B2C customer', async () => {
    const query = 'query ($e: String!) { userEmailCheck(email: $e, storeHash: "ignored", channelId: 1) { userType userInfo { id email firstName lastName phoneNumber role companyName originChannelId forcePasswordReset } } }';
    const user = await postman(t.app, token, query, { e: people.rivalAdmin.email });
    expect(user.body.data.userEmailCheck).toEqual({
      userType: 4,
      userInfo: { id: 200, email: 'admin@rival.example', firstName: 'Rita', lastName: 'Val', phoneNumber: '8005550000', role: 0, companyName: 'Rival Supplies', originChannelId: 1, forcePasswordReset: false },
    });
    const customer = await postman(t.app, token, query, { e: people.b2cCustomer.email });
    expect(customer.body.data.userEmailCheck).toEqual({
      userType: 2,
      userInfo: { id: 321, email: 'walk.in@example.com', firstName: 'Walk', lastName: 'In', phoneNumber: '', role: null, companyName: null, originChannelId: 1, forcePasswordReset: false },
    });
    const invalid = await postman(t.app, token, query, { e: 'not an email' });
    expect(invalid.body.errors[0]).toMatchObject({ message: 'email: Enter a valid email address.', extensions: { code: 422 } });
  });

  it('customerEmailCheck needs no token: 1 unknown, 2 a customer, 3 a customer of another channel', async () => {
    const query = 'query ($e: String!, $s: String!, $c: Int) { customerEmailCheck(email: $e, storeHash: $s, channelId: $c) { userType } }';
    const check = async (email: string, channelId: number | null, storeHash = STORE) => (await postman(t.app, undefined, query, { e: email, s: storeHash, c: channelId })).body;
    expect(await check('brand.new@example.com', 1)).toEqual({ data: { customerEmailCheck: { userType: 1 } } });
    expect(await check(people.b2cCustomer.email, 1)).toEqual({ data: { customerEmailCheck: { userType: 2 } } });
    expect(await check(' WALK.IN@example.com', null)).toEqual({ data: { customerEmailCheck: { userType: 2 } } });
    expect(await check(people.b2cCustomer.email, 2)).toEqual({ data: { customerEmailCheck: { userType: 3 } } });
    expect(await check(people.b2cCustomer.email, 1, 'unknownstore')).toEqual({ data: { customerEmailCheck: { userType: 1 } } });
    expect(await check('not an email', 1)).toEqual({ data: { customerEmailCheck: { userType: 1 } } });
  });

  it('userCreate without a role: 422 "User must have a role."; validation texts name the field', async () => {
    const noRole = await postman(t.app, token, 'mutation { userCreate(userData: { companyId: 123456, email: "no.role@greatbuys.com", firstName: "No", lastName: "Role" }) { user { id } } }');
    expect(noRole.body).toEqual({
      errors: [{ message: 'User must have a role.', locations: [{ line: 1, column: 12 }], path: ['userCreate'], extensions: { code: 422 } }],
      data: { userCreate: null },
    });
    const blank = await postman(t.app, token, 'mutation { userCreate(userData: { companyId: 123456, email: "blank@greatbuys.com", firstName: "  ", lastName: "B", role: 2 }) { user { id } } }');
    expect(blank.body.errors[0]).toMatchObject({ message: 'firstName: This field may not be blank.', extensions: { code: 422 } });
    const badRole = await postman(t.app, token, 'mutation { userCreate(userData: { companyId: 123456, email: "bad.role@greatbuys.com", firstName: "B", lastName: "R", companyRoleId: 99 }) { user { id } } }');
    expect(badRole.body.errors[0]).toMatchObject({ message: 'companyRoleId: Invalid pk "99" - object does not exist.', extensions: { code: 422 } });
    const check = await postman(t.app, token, '{ a: userEmailCheck(email: "no.role@greatbuys.com") { userType } b: userEmailCheck(email: "blank@greatbuys.com") { userType } }');
    expect(check.body.data).toEqual({ a: { userType: 1 }, b: { userType: 1 } });
  });
});
