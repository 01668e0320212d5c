/**
 * The one registry of expected error codes. UPPER_SNAKE, never renamed once shipped.
 * `status` is the HTTP status a REST edge answers with (GraphQL edges map it to extensions.code);
 * `message` is the default text. Each edge translates an AppError exactly once.
 */
export const errorCodes = {
  // generic
  BAD_REQUEST: { status: 400, message: 'Bad request' },
  UNAUTHENTICATED: { status: 401, message: 'Unauthenticated' },
  FORBIDDEN: { status: 403, message: 'You do not have permission to do this operation.' },
  NOT_FOUND: { status: 404, message: 'Not found' },
  CONFLICT: { status: 409, message: 'Conflict' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'Request Entity Too Large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported media type' },
  VALIDATION_FAILED: { status: 422, message: 'Parameter Error' },
  RATE_LIMITED: { status: 429, message: 'Too many requests' },
  INTERNAL: { status: 500, message: 'Internal server error' },

  // fixtures and configuration
  FIXTURE_INVALID: { status: 400, message: 'Invalid fixture' },
  DATABASE_NOT_EMPTY: { status: 409, message: 'The database already holds data' },

  // Account API (account-graphql.md §9, §10)
  ACCOUNT_FORBIDDEN: { status: 403, message: 'You do not have permission to do this operation.' },
  INSUFFICIENT_ACCESS_SCOPE: { status: 403, message: 'You do not have permission to do this operation.' },
  INVALID_EMAIL: { status: 400, message: 'Invalid email' },
  INVALID_CURSOR: { status: 400, message: 'Invalid cursor' },
  INVALID_ID: { status: 400, message: 'Invalid id' },
  INVALID_PAGE_SIZE: { status: 400, message: 'Page size must be between 1 and 50' },
  FIRST_AND_LAST: { status: 400, message: 'Provide first or last, not both' },
  USER_IDENTITY_AMBIGUOUS: { status: 400, message: 'Provide exactly one of user.id or user.email' },
  USER_NOT_FOUND: { status: 404, message: 'User not found' },
  STORE_NOT_FOUND: { status: 404, message: 'Store not found' },
  ACCOUNT_OWNER_NOT_REMOVABLE: { status: 403, message: 'The account owner cannot be removed' },
  STORE_OWNER_NOT_REMOVABLE: { status: 403, message: 'The store owner cannot be removed' },

  // B2B storefront (b2b-users-rest.md §8, §14)
  B2B_NO_CREDENTIALS: { status: 401, message: 'Invalid token header. No credentials provided.' },
  B2B_BAD_SIGNATURE: { status: 401, message: 'Error decoding signature.' },
  B2B_TOKEN_EXPIRED: { status: 401, message: 'Signature has expired.' },
  B2B_INVALID_TOKEN: { status: 401, message: 'Invalid token.' },
  B2B_CUSTOMER_AUTH_FAILED: { status: 400, message: 'Customer auth failed' },
  B2B_CUSTOMER_NOT_FOUND: { status: 404, message: 'Customer does not exist.' },
  B2B_FORBIDDEN: { status: 403, message: 'You do not have permission to perform this action.' },
  B2B_USER_NOT_FOUND: { status: 404, message: 'User matching query does not exist.' },
  B2B_COMPANY_NOT_FOUND: { status: 404, message: 'Company matching query does not exist.' },
  B2B_ROLE_NOT_FOUND: { status: 404, message: 'Role matching query does not exist.' },
  B2B_PARAMETER_ERROR: { status: 422, message: 'Parameter Error' },
  B2B_EMAIL_EXISTS: { status: 422, message: 'Processing data contains logical errors' },
  B2B_LAST_USER: { status: 422, message: 'Processing data contains logical errors' },
  B2B_DELETE_SELF: { status: 422, message: 'Processing data contains logical errors' },
  B2B_LOGIC_ERROR: { status: 422, message: 'Processing data contains logical errors' },
  B2B_JSON_PARSE: { status: 400, message: 'JSON parse error' },
  B2B_METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed' },
  MANAGEMENT_NOT_IMPLEMENTED: { status: 501, message: 'Not Implemented' },
  /** the webhooks API's v3 errors (webhooks.md §4.4): `message` is the title */
  WEBHOOK_INPUT_INVALID: { status: 400, message: 'Input is invalid.' },
  WEBHOOK_UNAUTHORIZED: { status: 401, message: 'Unauthorized - the v3 Auth client ID or token in the request are not a valid combination for this store.' },
  WEBHOOK_FORBIDDEN: { status: 403, message: 'Unauthorized Access. You do not have permission to make this request.' },
  WEBHOOK_NOT_FOUND: { status: 404, message: 'Webhook not found' },
  WEBHOOK_INVALID: { status: 422, message: 'JSON data is missing or invalid' },
  /** a Companies-family refusal: `meta.message` is the message, `details.data` the body's data ({} by default) */
  MANAGEMENT_COMPANY_ERROR: { status: 422, message: 'Company was not valid.' },
  MANAGEMENT_COMPANY_NOT_FOUND: { status: 404, message: 'This resource is not found.' },
  MANAGEMENT_COMPANY_CONFLICT: { status: 409, message: 'Company was in conflict with another company.' },
  /** the hierarchy routes' `{status, title, errors}` refusals (details.title) */
  MANAGEMENT_HIERARCHY_ERROR: { status: 400, message: 'Parameter error.' },
  MANAGEMENT_HIERARCHY_NOT_FOUND: { status: 404, message: 'Company does not exist.' },

  // emulator controls (/_roster)
  ADMIN_UNAUTHORIZED: { status: 401, message: 'The admin API needs Authorization: Bearer <admin token>' },
  FORK_NOT_FOUND: { status: 404, message: 'No such fork' },
  SNAPSHOT_NOT_FOUND: { status: 404, message: 'No such snapshot' },
  FAULT_NOT_FOUND: { status: 404, message: 'No such fault rule' },
  TOO_MANY_FORKS: { status: 409, message: 'Too many forks alive' },
  FORKS_UNAVAILABLE: { status: 409, message: 'Forks are not available on this server' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCodes;
