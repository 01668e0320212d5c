/**
 * The wire error format of each API, written once. Every answer of an API that is an error, from
 * its routes, its GraphQL transport, the root handlers, framework errors, shutdown or the
 * emulator's fault rules, is built by one of these:
 *
 * - Account GraphQL (account-graphql.md §11 #2): `{"errors": [{message, extensions: {code}}]}`,
 *   `code` a string (`UNAUTHENTICATED`, `BAD_USER_INPUT`, ...).
 * - B2B GraphQL (b2b-users-rest.md §14 #22): the same list, `code` a number (the REST status of
 *   the same case; 40101 for authentication failures).
 * - B2B REST (§3, §8, §14 #1-2): `{code, message, data: {errMsg}}` under /api/v2, and
 *   `{code, data: {errMsg}, meta: {message}}` under /api/io/auth; `code` is the HTTP status.
 */
export interface GraphqlErrorItem<C extends string | number> {
  message: string;
  locations?: readonly { line: number; column: number }[];
  path?: readonly (string | number)[];
  extensions: { code: C; [key: string]: unknown };
}

export function graphqlErrorItem<C extends string | number>(
  message: string,
  code: C,
  where: { locations?: readonly { line: number; column: number }[] | undefined; path?: readonly (string | number)[] | undefined } = {},
  extensions: Record<string, unknown> = {},
): GraphqlErrorItem<C> {
  return {
    message,
    ...(where.locations && where.locations.length > 0 ? { locations: where.locations } : {}),
    ...(where.path ? { path: where.path } : {}),
    extensions: { code, ...extensions },
  };
}

/** An Account GraphQL answer that is one request-level error. */
export function accountGraphqlErrors(message: string, code: string): { errors: GraphqlErrorItem<string>[] } {
  return { errors: [graphqlErrorItem(message, code)] };
}

export type B2bRestStyle = 'v2' | 'io';

/** A B2B REST error body; `errMsg` is the detail (a text, or a 422 field map), `message` the headline. */
export function b2bRestErrorBody(style: B2bRestStyle, status: number, message: string, errMsg: unknown = message): Record<string, unknown> {
  return style === 'v2' ? { code: status, message, data: { errMsg } } : { code: status, data: { errMsg }, meta: { message } };
}

/**
 * The B2B Management API v3 (b2b-management-rest.md §3.2): `{code, meta: {message}, data}`, where
 * `data` is `{errMsg}` for the users family and the shared layer, `{}` (or `{errors}`) for Companies;
 * the hierarchy routes use `{status, title, errors}` instead.
 */
export function b2bManagementErrorBody(status: number, message: string, data: unknown = { errMsg: message }): Record<string, unknown> {
  return { code: status, meta: { message }, data };
}

export function b2bHierarchyErrorBody(status: number, title: string, text: string): Record<string, unknown> {
  return { status, title, errors: { '1': text } };
}

/** BigCommerce's v3 error (webhooks.md §4.4): `{status, title, type[, errors]}`. */
export function v3ErrorBody(status: number, title: string, errors?: Record<string, string>): Record<string, unknown> {
  return { status, title, type: '/api-docs/getting-started/api-status-codes', ...(errors !== undefined ? { errors } : {}) };
}
