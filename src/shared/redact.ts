/** Query parameters whose values never reach a log line or a journal (account-graphql.md §11 #15). */
const SENSITIVE_QUERY = /([?&](?:jwtToken|jwt_token|token|authToken|password|bcToken|x-auth-token|x_auth_token|clientSecret|client_secret|secret)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SENSITIVE_QUERY, '$1[redacted]');
}
