/**
 * Stand-in for the official B2B Buyer Portal's GraphQL transport (`graphqlB2B` in
 * apps/storefront/src/shared/service/request/b3Fetch.ts), as observed on the wire: POST
 * `{base}/graphql` with `{query, variables}` and no operationName, `Authorization: Bearer  <token>`
 * with two spaces (signed out, fetch trims `Bearer  ` to `Bearer`), HTTP status ignored, the body
 * decides: `errors[0].extensions.code === 40101` signs the session out, any other error throws its
 * message, a REST-style `code: 500` body throws `errMsg`. The base URL is `VITE_B2B_URL` locally,
 * else `https://api-b2b.bigcommerce.com`: point it at Roster.
 */
export class BuyerPortalSession {
  /** the portal keeps its B2B token in its store; empty when signed out */
  token = '';
  signedOutBecause: string | undefined;

  constructor(private readonly baseUrl: string) {}

  async graphqlB2B<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const response = await fetch(`${this.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', Authorization: `Bearer  ${this.token}` },
      body: JSON.stringify(variables === undefined ? { query } : { query, variables }),
    });
    const body = (await response.json()) as {
      data?: T;
      errors?: { message: string; extensions?: { code?: unknown } }[];
      code?: number;
      message?: string;
    };
    const [error] = body.errors ?? [];
    if (error) {
      if (error.extensions?.code === 40101) {
        this.token = '';
        this.signedOutBecause = error.message;
        throw new Error(`signed out: ${error.message}`);
      }
      throw new Error(error.message);
    }
    if (body.code === 500) throw new Error((body.data as { errMsg?: string } | undefined)?.errMsg || body.message || 'error');
    return body.data as T;
  }
}

/** The portal's documents as it sends them (b2b-graphql/observed-requests.md §1, whitespace shortened). */
export const portalDocuments = {
  /** #1 pages/Login/performB2BLogin → b2bLogin */
  login:
    'mutation Login($loginData: UserLoginType!) { login(loginData: $loginData) { result { storefrontLoginToken token permissions { code permissionLevel } } } }',
  /** #6 pages/UserManagement/getUsers */
  getUsers:
    'query GetUsers($first: Int!, $offset: Int!, $q: String, $companyId: Int!, $companyRoleId: Decimal) { users ( first: $first search: $q offset: $offset companyId: $companyId companyRoleId: $companyRoleId ){ totalCount, edges{ node{ id, firstName, lastName, email, companyRoleName, companyInfo { companyId, }, } } } }',
  /** #7 pages/UserManagement/getUser */
  getUser:
    'query GetUser($userId: Int!, $companyId: Int!) { user ( userId: $userId companyId: $companyId ) { firstName, lastName, email, phone, companyRoleId, companyRoleName, extraFields { fieldName fieldValue } } }',
  /** #8 pages/UserManagement/checkUserEmail */
  userEmailCheck:
    'query UserEmailCheck ($email: String!, $companyId: Int, $storeHash: String!, $channelId: Int) { userEmailCheck ( email: $email, companyId: $companyId, storeHash: $storeHash, channelId: $channelId ){ userType, userInfo { companyName } } }',
  /** #9 pages/UserManagement/addUser */
  createUser: 'mutation CreateUser ($userData: UserInputType!) { userCreate ( userData: $userData ){ user { id } } }',
  /** #11 pages/UserManagement/deleteUser */
  deleteUser: 'mutation DeleteUser ($companyId: Int!, $userId: Int!) { userDelete ( companyId: $companyId, userId: $userId ) { message } }',
};
