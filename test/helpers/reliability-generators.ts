import fc from 'fast-check';

/**
 * fast-check arbitraries for hostile input: strings that look like SQL or GraphQL injection,
 * control and odd unicode characters, huge strings, numbers out of range, wrong JSON types.
 * None of them is an e-mail of the demo fixture, so a generated request can never name a real
 * person by accident.
 */

/** Strings an attacker would try in every parameter. */
export const injectionStrings: readonly string[] = [
  "' OR '1'='1",
  "' OR 1=1 --",
  "'; DROP TABLE users; --",
  '"; DROP TABLE company_users; --',
  "1; SELECT pg_sleep(5)",
  "1' AND (SELECT 1 FROM sqlite_master) --",
  "' UNION SELECT token_hash, scopes FROM api_accounts --",
  "admin'--",
  '%',
  '_',
  '%%%%',
  '\\',
  "\\'",
  '"',
  '`',
  '$1',
  '?',
  "') OR ('a'='a",
  '{"$gt": ""}',
  '{"$ne": null}',
  '") { id } } mutation { account { addUserToAccount(input: {email: "x"}) { account { id } } } } #',
  '"} } query { __schema { types { name } } } #',
  '{ __schema { queryType { name } } }',
  '__typename',
  '$var',
  '"""',
  '#',
  '...on Query { account { id } }',
  '../../../../etc/passwd',
  '%2e%2e%2f%2e%2e%2f',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, sent as plain text on purpose
  '${7*7}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '%s%s%s%n',
  '\u0000',
  'a\u0000b',
  '\r\nX-Injected: 1',
  '\ud800',
  '\udfff\ud800',
  '\u202e\u0645\u0631\u062d\u0628\u0627',
  '\ufeff',
  '\u200b',
  'Ω≈ç√∫˜µ≤≥÷',
  '🧪💥🔥',
  'ﷺ',
  '𝕿𝖍𝖊',
  'NaN',
  'Infinity',
  '-Infinity',
  '-0',
  '1e309',
  '0x10',
  '9'.repeat(400),
  '-1',
  '0',
  '',
  ' ',
  '\t\n',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  'bc/account/user/',
  'bc/account/user/-1',
  'bc/account/user/1e3',
  'bc/account/store/',
  'bc/account/store/../../account',
  'bc/account/account/0b9e5c3e-7d2f-4a51-9c4e-2f8a6b1d3e70',
  'W10=',
  'WyJhIl0=',
  'WzFd',
  'eyJpZCI6MX0=',
  'not@an@email',
  '@',
  'a@',
  '@b',
];

const controlChar = fc.integer({ min: 0, max: 31 }).map((c) => String.fromCharCode(c));
const oddChar = fc.constantFrom('\u0000', '\u007f', '\u0085', '\u00a0', '\u2028', '\u2029', '\ud800', '\udc00', '\ufffe', '\uffff', '\u202e', '\u200d');

/** Any of: an injection string, random unicode, control characters, a long or huge string. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...injectionStrings) },
  { weight: 6, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 4, arbitrary: fc.array(fc.oneof(controlChar, oddChar, fc.string({ maxLength: 3 })), { maxLength: 20 }).map((a) => a.join('')) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('a', '%', "'", 'é', '🧪', '\u0000'), fc.integer({ min: 151, max: 20_000 })).map(([c, n]) => c.repeat(n)) },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.constantFrom(...injectionStrings), fc.string({ maxLength: 10 }), fc.constantFrom(...injectionStrings)).map(([a, b, c]) => a + b + c),
  },
);

/** Numbers that are wrong for an id, a page size or an offset. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -1, -0, 1.5, 2 ** 31, 2 ** 31 - 1, -(2 ** 31), 2 ** 53, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e21, 1e300, -1e300, 5e-324),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** A number as a string, the way query strings and loosely typed clients send it. */
export const hostileNumericString: fc.Arbitrary<string> = fc.oneof(
  hostileNumber.map((n) => String(n)),
  fc.constantFrom('1e3', '0x1f', '0b11', '1_000', ' 1', '1 ', '+1', '--1', '1.', '.5', '١٢٣', '１２３', '4201abc', '123456;', '123456 OR 1=1'),
);

/** Any JSON value of the wrong type for a field, nested a little. */
export const hostileJsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString')), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** JSON nested `depth` levels deep: [[[...]]] or {"a":{"a":...}}. */
export const deepJson: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 100, max: 5000 }), fc.boolean())
  .map(([depth, arrays]) => (arrays ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`));

/** Bodies that are not JSON, or not quite. */
export const invalidJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', ' ', '{', '}', '{"query":', '{"query": "{ account { id } }"', "{'query': 'x'}", '{"query": undefined}', 'null', 'nul', '[', '[1,', '{"a":1,}',
    '\u0000', '\ufeff{"query":"{ account { id } }"}', '{"__proto__": {"x": 1}, "query": "{ a }"}', '{"constructor": {"prototype": {"x": 1}}}', 'query=%7Baccount%7Bid%7D%7D'),
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.json().map((j) => j.slice(0, Math.max(0, j.length - 1))),
);

/** Content types other than JSON, and JSON ones with odd parameters. */
export const oddContentType: fc.Arbitrary<string | undefined> = fc.constantFrom(
  undefined,
  'text/plain',
  'text/html',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/graphql',
  'application/octet-stream',
  '*/*',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/jsonx',
  'json',
  '',
  ';;;',
  'application/json\u0000',
);

/** Token header values that must be refused. */
export const badTokens: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', ' ', 'null', 'Bearer', 'Bearer ', 'demo-account-token', 'demo-account-token-full ', 'DEMO-ACCOUNT-TOKEN-FULL', 'eyJhbGciOiJub25lIn0.eyJ9.', 'a.b.c', '...'),
  hostileString.filter((s) => s.length < 4000 && /^[\t\x20-\x7e\x80-\xff]*$/.test(s)),
);

/** Header values must be latin-1 without CR/LF; this keeps generated ones sendable. */
export function headerSafe(value: string): string {
  // stripping control characters is the point
  return value.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?').slice(0, 8000);
}

/** A path segment or query value for any string: lone surrogates become U+FFFD, then percent-encoded. */
export function encodeSegment(value: string): string {
  const encoded = encodeURIComponent(value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
  // "." and ".." would be resolved away by inject()'s URL parsing (a real client sends them as they are)
  return /^\.{1,2}$/.test(encoded) ? `${encoded}~` : encoded;
}

/** Raw percent sequences that do not decode to valid UTF-8 (or decode to something odd). */
export const rawPercentSegments: readonly string[] = ['%FF', '%C0%AF', '%00', '%E2%80%AE', '%', '%zz', '%2F', '%5C', '%0d%0a', '%ED%A0%80'];

/** A GraphQL string literal of any JS string (JSON escapes are valid GraphQL escapes). */
export function gqlString(value: string): string {
  return JSON.stringify(value);
}

/** Picks one of several request families with weights; a tiny wrapper for readability. */
export function family<T>(...entries: [number, fc.Arbitrary<T>][]): fc.Arbitrary<T> {
  return fc.oneof(...entries.map(([weight, arbitrary]) => ({ weight, arbitrary })));
}
