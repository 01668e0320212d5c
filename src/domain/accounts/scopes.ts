/** Account resource scopes (account-graphql.md §2). Billing scopes are accepted in data but grant nothing here. */
export const accountScopes = [
  'account_read',
  'account_apps_read',
  'account_stores_read',
  'account_users_read',
  'account_users_write',
  'account_users_delete',
  'account_checkouts_read',
  'account_checkouts_create',
  'account_subscriptions_read',
  'account_subscriptions_cancel',
] as const;

export type AccountScope = (typeof accountScopes)[number];

export function isAccountScope(value: string): value is AccountScope {
  return (accountScopes as readonly string[]).includes(value);
}
