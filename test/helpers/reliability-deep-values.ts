import fc from 'fast-check';

/**
 * Deeply nested values (arrays, objects, or both), built as text: a JSON text for request bodies
 * and GraphQL variables, and a GraphQL value literal for documents. They are never built as
 * JavaScript values, because `JSON.stringify` of one (in the test itself) would overflow the stack
 * the same way the code under test must not.
 */
export type NestShape = 'array' | 'object' | 'mixed';

export const NEST_SHAPES: readonly NestShape[] = ['array', 'object', 'mixed'];

export interface Nest {
  shape: NestShape;
  /** levels of brackets around the leaf */
  depth: number;
  /** for 'mixed': the levels' kinds, repeated ('a' array, 'o' object); ignored otherwise */
  pattern: string;
  /** the key of every object level (a GraphQL name too: usable in documents) */
  key: string;
  /** the innermost value */
  leaf: 'number' | 'string' | 'null' | 'true' | 'emptyArray' | 'emptyObject';
  /** a sibling beside the nested value at the outermost level (`[0, <nest>]`, `{"b": 0, "a": <nest>}`) */
  sibling: boolean;
}

export const MIN_DEPTH = 10;
export const MAX_DEPTH = 100_000;

/**
 * Keys that name real fields or prototype members, so a careless walk, merge or conversion would
 * meet them; mostly `a`, so that most object nests of 100,000 levels still fit the 1 MiB body limit.
 */
const KEYS = ['role', 'email', 'fieldName', 'fieldValue', 'ids', 'user', 'query', 'variables', '__proto__', 'constructor', 'toString', 'valueOf'] as const;

/** A nest of this shape, its depth chosen by fast-check between 10 and 100,000. */
export function nestOf(shape: NestShape): fc.Arbitrary<Nest> {
  return fc.record({
    shape: fc.constant(shape),
    depth: fc.integer({ min: MIN_DEPTH, max: MAX_DEPTH }),
    pattern: fc.array(fc.constantFrom('a', 'o'), { minLength: 2, maxLength: 6 }).map((p) => (p.includes('a') && p.includes('o') ? p.join('') : 'ao')),
    key: fc.oneof({ weight: 3, arbitrary: fc.constant('a') }, { weight: 1, arbitrary: fc.constantFrom(...KEYS) }),
    leaf: fc.constantFrom<Nest['leaf']>('number', 'string', 'null', 'true', 'emptyArray', 'emptyObject'),
    sibling: fc.boolean(),
  });
}

function levelKinds(nest: Nest): (i: number) => 'a' | 'o' {
  if (nest.shape === 'array') return () => 'a';
  if (nest.shape === 'object') return () => 'o';
  return (i) => (nest.pattern[i % nest.pattern.length] === 'o' ? 'o' : 'a');
}

const JSON_LEAF: Record<Nest['leaf'], string> = { number: '1', string: '"x"', null: 'null', true: 'true', emptyArray: '[]', emptyObject: '{}' };
const GRAPHQL_LEAF: Record<Nest['leaf'], string> = { number: '1', string: '"x"', null: 'null', true: 'true', emptyArray: '[]', emptyObject: '{}' };

function build(nest: Nest, open: (kind: 'a' | 'o', first: boolean) => string, close: (kind: 'a' | 'o') => string, leaf: string): string {
  const kind = levelKinds(nest);
  const opens: string[] = new Array(nest.depth);
  const closes: string[] = new Array(nest.depth);
  for (let i = 0; i < nest.depth; i++) {
    const k = kind(i);
    opens[i] = open(k, i === 0);
    closes[nest.depth - 1 - i] = close(k);
  }
  return opens.join('') + leaf + closes.join('');
}

/** The nest as JSON text. */
export function nestJson(nest: Nest): string {
  const key = JSON.stringify(nest.key);
  return build(
    nest,
    (k, first) => (k === 'a' ? (first && nest.sibling ? '[0,' : '[') : first && nest.sibling ? `{"b":0,${key}:` : `{${key}:`),
    (k) => (k === 'a' ? ']' : '}'),
    JSON_LEAF[nest.leaf],
  );
}

/** The nest as a GraphQL value literal (`[[1]]`, `{a: {a: 1}}`). */
export function nestGraphql(nest: Nest): string {
  return build(
    nest,
    (k, first) => (k === 'a' ? (first && nest.sibling ? '[0 ' : '[') : first && nest.sibling ? `{b: 0 ${nest.key}: ` : `{${nest.key}: `),
    (k) => (k === 'a' ? ']' : '}'),
    GRAPHQL_LEAF[nest.leaf],
  );
}

/** A JSON object text from entries whose values are JSON texts already (so a nest can be one of them). */
export function jsonObjectText(entries: Record<string, string>): string {
  return `{${Object.entries(entries)
    .map(([k, v]) => `${JSON.stringify(k)}:${v}`)
    .join(',')}}`;
}

/** A short label for failure messages. */
export function describeNest(nest: Nest): string {
  const shape = nest.shape === 'mixed' ? `mixed(${nest.pattern})` : nest.shape;
  return `${shape} depth ${nest.depth}, key ${nest.key}, leaf ${nest.leaf}${nest.sibling ? ', with a sibling' : ''}`;
}
