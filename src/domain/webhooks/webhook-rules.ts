/**
 * The pure format rules of a hook's fields (webhooks.md §4.4), shared by the registration API
 * (webhook-service.ts) and fixture loading (§8): the destination URL under the destinations
 * setting (§7.5), custom header names and values, and the registration limits (§10 #19).
 */
export interface WebhookDestinationRule {
  /** 'strict': BigCommerce's HTTPS-on-443 rule (§7.5) */
  destinations: 'lenient' | 'strict';
}

/** hooks per store + client + scope */
export const MAX_WEBHOOKS_PER_SCOPE = 10;
const MAX_DESTINATION_LENGTH = 2048;
// header names: HTTP token characters; values: visible ASCII, space and tab, no CR/LF
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

export type DestinationCheck = 'ok' | 'invalid' | 'not-https-443';

/**
 * A destination under `rule`: 'invalid' when it is not an absolute http(s) URL with a host, is longer
 * than 2048 characters or carries user info; 'not-https-443' when strict and not HTTPS on port 443.
 */
export function checkDestination(value: string, rule: WebhookDestinationRule): DestinationCheck {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '' || value.length > MAX_DESTINATION_LENGTH || url.username !== '' || url.password !== '') {
    return 'invalid';
  }
  if (rule.destinations === 'strict' && (url.protocol !== 'https:' || (url.port !== '' && url.port !== '443'))) return 'not-https-443';
  return 'ok';
}

/** A custom header as HTTP allows it: a token name and a string value without CR/LF. */
export function isValidHeader(name: string, value: unknown): value is string {
  return typeof value === 'string' && HEADER_NAME.test(name) && HEADER_VALUE.test(value);
}
