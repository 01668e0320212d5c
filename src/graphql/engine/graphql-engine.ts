import {
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLNamedType,
  type GraphQLSchema,
  isAbstractType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
  execute as executeWithGraphqlJs,
  getVariableValues,
  specifiedRules,
  validate,
  ValuesOfCorrectTypeRule,
} from 'graphql';
import { createRequire } from 'node:module';
import type { CompiledQuery } from 'graphql-jit';
import { documentWeight, MAX_DOCUMENT_TOKENS, parseGraphqlDocument } from '../../shared/graphql-document.js';
import { createWeightedLru, textWeight } from '../../shared/weighted-lru.js';
import { withoutFrames } from '../../shared/errors.js';
import { createValidationWorker, type ValidationWorker } from './validation-worker.js';
import { type HoistedDocument, hoistLiterals } from './literal-hoisting.js';

/**
 * Shared GraphQL execution for both GraphQL APIs: parse + validate + graphql-jit compile, cached
 * per document text; cost limits (depth, aliases, complexity) checked before execution.
 * The edges own HTTP and error formats; this module only reports what went wrong.
 */
export interface EngineLimits {
  maxDepth: number;
  maxAliases: number;
  maxComplexity: number;
  /**
   * Selections of an operation once every fragment spread is opened (introspection fields and
   * spreads themselves included, page sizes not). Complexity scores `__typename` 0 (documented),
   * so this is what bounds a fragment bomb made of fields that score nothing, and what graphql-jit
   * has to walk to compile the operation. Default 5,000.
   */
  maxSelections?: number;
  /**
   * Introspection (`__schema`, `__type`) scores 0 in the complexity (documented), but a hundred
   * aliased `__schema { types { fields { type { fields ... } } } } }` are seconds of synchronous
   * work. Its own score bounds it: every introspection field 1, a list field (`types`, `fields`,
   * `args`, ...) multiplies what it holds by the longest such list in this schema (an upper bound:
   * most lists are shorter). Default 500,000: GraphiQL's full introspection query scores 117k on
   * the Account schema and 345k on the B2B one; a document at the limit ran in under 50 ms.
   */
  maxIntrospectionScore?: number;
  /** page size assumed for a connection without first/last */
  defaultPageSize: number;
  /** page sizes above this count as this much (the API rejects or caps them anyway) */
  maxPageSize: number;
  /** argument names whose value is a page size (first, last) */
  pageSizeArgs?: readonly string[];
  /** a field whose type name ends with one of these multiplies its children by its page size */
  connectionSuffixes?: readonly string[];
  /**
   * 'cap' (default): a page size above maxPageSize scores as maxPageSize, one below 1 as the default.
   * 'skip': a connection whose page-size arguments the API refuses (first together with last, or a
   * size outside 1..maxPageSize) scores 1 and its children 0: it will not be resolved, so the
   * page-size error is reported instead of a complexity error.
   */
  outOfRangePageSizes?: 'cap' | 'skip';
}

type LimitName = 'depth' | 'aliases' | 'selections' | 'introspection' | 'validation';

export type PrepareFailure =
  | { kind: 'parse'; error: GraphQLError }
  | { kind: 'validation'; errors: readonly GraphQLError[] }
  | { kind: 'limit'; error: GraphQLError; limit: LimitName }
  | { kind: 'operation'; error: GraphQLError };

export interface PreparedDocument {
  readonly document: DocumentNode;
  readonly operation: OperationDefinitionNode;
  readonly operationType: 'query' | 'mutation' | 'subscription';
  readonly operationName: string | undefined;
  /** true when the operation selects only introspection fields */
  readonly isIntrospectionOnly: boolean;
  /** complexity for these variables (page-size arguments may be variables) */
  complexity(variables: Record<string, unknown> | undefined): number;
  execute(context: unknown, variables: Record<string, unknown> | undefined): Promise<ExecutionResult> | ExecutionResult;
}

interface CacheEntry {
  document: DocumentNode;
  fragments: Map<string, FragmentDefinitionNode>;
  compiled: Map<string, CompiledQuery | undefined>;
  /** executions per operation name before it is compiled */
  executions: Map<string, number>;
}

/**
 * An operation runs through graphql-js's own executor until its document has been executed this
 * many times, then through graphql-jit's compiled code. Compiling costs far more than one
 * interpreted execution (measured: a new B2B `users` document with inline arguments took ~4 ms
 * the first time against ~1 ms repeated), so documents sent once or twice (literals built into
 * the text, ad-hoc queries) never pay for it, and documents that repeat (a client's operations
 * with variables) are compiled on their third run. Both executors give the same answers: the
 * same schema, resolvers and scalar serialization.
 */
const COMPILE_AFTER_EXECUTIONS = 2;

/** texts not worth parsing for a shape: operations that may write (run at most once, literal-hoisting.ts) */
const NOT_HOISTED = /^\s*(mutation|subscription)\b/;

export interface GraphqlEngine {
  readonly schema: GraphQLSchema;
  /** synchronous for a document seen before or a small one; a promise while a large new one is validated off the event loop */
  prepare(query: string, operationName: string | undefined): PreparedDocument | PrepareFailure | Promise<PreparedDocument | PrepareFailure>;
  /** stops the validation worker, if one was started */
  close(): Promise<void>;
}

const MAX_CACHE = 1000;
const MAX_CACHE_WEIGHT = 32 * 1024 * 1024;
/**
 * Documents up to this many characters are validated on the event loop (a few hundred tokens:
 * graphql-js's overlapping-fields rule, quadratic in same-named fields, stays within milliseconds);
 * longer new ones in the validation worker, which gets VALIDATION_DEADLINE_MS.
 */
const IN_THREAD_VALIDATION_CHARS = 2_000;
const VALIDATION_DEADLINE_MS = 1_000;
/** complexity scores stop growing here (a score is only compared with limits far below it) */
const MAX_SCORE = Number.MAX_SAFE_INTEGER;

export function createGraphqlEngine(schema: GraphQLSchema, limits: EngineLimits): GraphqlEngine {
  const cache = createWeightedLru<CacheEntry | PrepareFailure>({ maxEntries: MAX_CACHE, maxWeight: MAX_CACHE_WEIGHT });
  const pageArgs = new Set(limits.pageSizeArgs ?? ['first', 'last']);
  const maxSelections = limits.maxSelections ?? 5_000;
  const maxIntrospectionScore = limits.maxIntrospectionScore ?? 500_000;
  const introspectionLists = introspectionListSizes(schema);

  /**
   * The introspection score of a selection set (see EngineLimits.maxIntrospectionScore); `inside`
   * says whether the set is already under `__schema` / `__type`. Fragments are scored once each,
   * separately for inside and outside (memo keys carry it): linear in the document's size.
   */
  function introspectionScore(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, memo: Map<string, number>, inside: boolean): number {
    let total = 0;
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) {
        const name = s.name.value;
        const opens = !inside && (name === '__schema' || name === '__type');
        if (inside || opens) {
          total += 1;
          if (s.selectionSet) total += introspectionScore(s.selectionSet, fragments, memo, true) * (inside ? (introspectionLists.get(name) ?? 1) : 1);
        } else if (s.selectionSet) {
          total += introspectionScore(s.selectionSet, fragments, memo, false);
        }
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        total += introspectionScore(s.selectionSet, fragments, memo, inside);
      } else {
        const key = `${inside ? 'in' : 'out'}:${s.name.value}`;
        total += oncePerFragment(memo, key, fragments, (fragment) => introspectionScore(fragment.selectionSet, fragments, memo, inside), s.name.value);
      }
      if (total >= MAX_SCORE) return MAX_SCORE;
    }
    return total;
  }
  const suffixes = limits.connectionSuffixes ?? ['Connection'];

  /** keeps what a document came to; `weight` estimates the bytes it keeps alive (weighted-lru.ts) */
  function remembered<T extends CacheEntry | PrepareFailure>(query: string, value: T, weight: number): T {
    if ('kind' in value) for (const error of 'errors' in value ? value.errors : [value.error]) withoutFrames(error);
    cache.set(query, value, weight);
    return value;
  }

  let worker: ValidationWorker | undefined;
  const validating = new Map<string, Promise<CacheEntry | PrepareFailure>>();

  function analyse(query: string): CacheEntry | PrepareFailure | Promise<CacheEntry | PrepareFailure> {
    const cached = cache.get(query);
    if (cached) return cached;
    const document = parseGraphqlDocument(query);
    if (document instanceof GraphQLError) return remembered(query, { kind: 'parse', error: document }, documentWeight(query, document));
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    // cheap structural limits first, so a hostile document never reaches full validation
    const refuse = (limit: LimitName, message: string) => remembered(query, { kind: 'limit', limit, error: new GraphQLError(message) }, textWeight(query) + 1024);
    const shown = (value: number, limit: number) => (value >= MAX_SCORE ? `more than ${limit}` : String(value));
    const aliasCount = countAliases(document);
    if (aliasCount > limits.maxAliases) return refuse('aliases', `The query uses ${aliasCount} aliases; at most ${limits.maxAliases} are allowed.`);
    const fragmentDepths = new Map<string, number>();
    const fragmentSelections = new Map<string, number>();
    const fragmentIntrospection = new Map<string, number>();
    for (const def of document.definitions) {
      if (def.kind !== Kind.OPERATION_DEFINITION) continue;
      const depth = selectionDepth(def.selectionSet, fragments, fragmentDepths, limits.maxDepth);
      if (depth > limits.maxDepth) return refuse('depth', `The query has a depth of ${depth}; at most ${limits.maxDepth} is allowed.`);
      const introspection = introspectionScore(def.selectionSet, fragments, fragmentIntrospection, false);
      if (introspection > maxIntrospectionScore) {
        return refuse('introspection', `The query's introspection is too large: it has a score of ${shown(introspection, maxIntrospectionScore)} out of ${maxIntrospectionScore}.`);
      }
      const selections = expandedSelections(def.selectionSet, fragments, fragmentSelections);
      if (selections > maxSelections) {
        return refuse('selections', `The query has ${shown(selections, maxSelections)} selections once its fragments are spread; at most ${maxSelections} are allowed.`);
      }
    }
    if (query.length <= IN_THREAD_VALIDATION_CHARS) return validated(query, document, fragments, validate(schema, document, specifiedRules, { maxErrors: 10 }));
    // a large document is validated off the event loop, with a deadline (validation-worker.ts);
    // requests that bring the same document meanwhile wait for the same answer
    let waiting = validating.get(query);
    if (!waiting) {
      worker ??= createValidationWorker(schema, { deadlineMs: VALIDATION_DEADLINE_MS, maxTokens: MAX_DOCUMENT_TOKENS });
      waiting = worker.validate(query).then((verdict) => {
        validating.delete(query);
        // not remembered: a deadline missed on a busy machine says nothing about the next try
        if (verdict.kind === 'timeout') {
          return {
            kind: 'limit',
            limit: 'validation',
            error: new GraphQLError(`The query took more than ${VALIDATION_DEADLINE_MS} ms to validate; make it smaller.`),
          } satisfies PrepareFailure;
        }
        const source = document.loc?.source;
        const errors = verdict.issues.map((issue) => new GraphQLError(issue.message, source && issue.positions ? { source, positions: issue.positions } : {}));
        // the one rule the worker leaves out: custom scalars' literals, against the real schema
        if (errors.length < 10) errors.push(...validate(schema, document, [ValuesOfCorrectTypeRule], { maxErrors: 10 - errors.length }));
        return validated(query, document, fragments, errors);
      });
      validating.set(query, waiting);
    }
    return waiting;
  }

  function validated(query: string, document: DocumentNode, fragments: Map<string, FragmentDefinitionNode>, errors: readonly GraphQLError[]): CacheEntry | PrepareFailure {
    // errors point into the document (nodes, source); a valid entry keeps it and its compiled code (counted as much again)
    const weight = documentWeight(query, document);
    return remembered(query, errors.length > 0 ? { kind: 'validation', errors } : { document, fragments, compiled: new Map(), executions: new Map() }, errors.length > 0 ? weight : 2 * weight);
  }

  /**
   * The complexity score of a selection set. A fragment's score does not depend on where it is
   * spread (connection-ness and page sizes are read from the field itself and the variables), so it
   * is computed once per call and remembered: the walk is linear in the size of the document, a
   * fragment spread twice in each of 30 fragments costs 30 fragment walks, not 2^30. Scores stop
   * growing at MAX_SCORE (any score over the limit is refused the same way).
   */
  function complexityOf(
    selectionSet: SelectionSetNode,
    fragments: Map<string, FragmentDefinitionNode>,
    variables: Record<string, unknown> | undefined,
    memo: Map<string, number>,
  ): number {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        total += 1;
        if (selection.selectionSet) {
          const isConnection = isConnectionField(selection);
          if (isConnection && skipRefused && isRefusedPageSize(selection, variables)) continue;
          const inner = complexityOf(selection.selectionSet, fragments, variables, memo);
          total += isConnection ? inner * pageSize(selection, variables) : inner;
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        total += complexityOf(selection.selectionSet, fragments, variables, memo);
      } else {
        total += oncePerFragment(memo, selection.name.value, fragments, (fragment) => complexityOf(fragment.selectionSet, fragments, variables, memo));
      }
      if (total >= MAX_SCORE) return MAX_SCORE;
    }
    return total;
  }

  const skipRefused = limits.outOfRangePageSizes === 'skip';

  function isRefusedPageSize(field: FieldNode, variables: Record<string, unknown> | undefined): boolean {
    let given = 0;
    for (const arg of field.arguments ?? []) {
      if (!pageArgs.has(arg.name.value)) continue;
      const value = literalValue(arg.value, variables);
      if (value === undefined || value === null) continue;
      given += 1;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > limits.maxPageSize) return true;
    }
    return given > 1;
  }

  function pageSize(field: FieldNode, variables: Record<string, unknown> | undefined): number {
    let size: number | undefined;
    for (const arg of field.arguments ?? []) {
      if (!pageArgs.has(arg.name.value)) continue;
      const value = literalValue(arg.value, variables);
      if (typeof value === 'number' && Number.isFinite(value)) size = Math.max(size ?? 0, value);
    }
    if (size === undefined || size < 1) return limits.defaultPageSize;
    return Math.min(size, limits.maxPageSize);
  }

  // connection-ness is decided from the schema: the field's return type name
  const connectionFields = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!('getFields' in type) || type.name.startsWith('__')) continue;
    const fields = (type as { getFields(): Record<string, { type: { toString(): string } }> }).getFields();
    for (const [name, field] of Object.entries(fields)) {
      const typeName = field.type.toString().replace(/[[\]!]/g, '');
      if (suffixes.some((s) => typeName.endsWith(s))) connectionFields.add(name);
    }
  }
  // only fields with a selection set reach this check (see complexityOf)
  const isConnectionField = (field: FieldNode) => connectionFields.has(field.name.value);

  /** per new text: its shape with literals as variables (literal-hoisting.ts), or null (none: run the text) */
  const shapes = createWeightedLru<{ hoisted: HoistedDocument; document: DocumentNode } | null>({ maxEntries: MAX_CACHE, maxWeight: MAX_CACHE_WEIGHT });

  function ordinary(query: string, operationName: string | undefined): PreparedDocument | PrepareFailure | Promise<PreparedDocument | PrepareFailure> {
    const analysed = analyse(query);
    if (analysed instanceof Promise) return analysed.then((entry) => prepareOperation(entry, operationName));
    return prepareOperation(analysed, operationName);
  }

  /** The text's shape, prepared, when it has one that validates; undefined: run the text itself. */
  function viaShape(query: string, operationName: string | undefined): PreparedDocument | undefined {
    if (cache.get(query) !== undefined || NOT_HOISTED.test(query) || query.length > IN_THREAD_VALIDATION_CHARS) return undefined;
    let known = shapes.get(query);
    if (known === undefined) {
      const document = parseGraphqlDocument(query);
      const hoisted = document instanceof GraphQLError ? undefined : hoistLiterals(schema, document);
      known = hoisted && !(document instanceof GraphQLError) ? { hoisted, document } : null;
      shapes.set(query, known, textWeight(query) + (known ? documentWeight(query, known.document) : 0));
    }
    if (known === null) return undefined;
    const analysed = analyse(known.hoisted.shape);
    if (analysed instanceof Promise || 'kind' in analysed) return undefined;
    const prepared = prepareOperation(analysed, operationName);
    if ('kind' in prepared) return undefined;
    const { document, hoisted } = known;
    const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
    const withLiterals = (variables: Record<string, unknown> | undefined) => ({ ...variables, ...hoisted.values });
    return {
      ...prepared,
      // what callers look at is the text they sent
      document,
      operation,
      complexity: (variables) => prepared.complexity(withLiterals(variables)),
      execute(context, variables) {
        // errors point into the text: a query is run again as it was sent to word them (a query changes nothing)
        const again = (result: ExecutionResult) => {
          if (!result.errors?.length) return result;
          shapes.set(query, null, textWeight(query));
          const plain = ordinary(query, operationName);
          const run = (p: PreparedDocument | PrepareFailure) => ('kind' in p ? result : p.execute(context, variables));
          return plain instanceof Promise ? plain.then(run) : run(plain);
        };
        const result = prepared.execute(context, withLiterals(variables));
        return result instanceof Promise ? result.then(again) : again(result);
      },
    };
  }

  return {
    schema,
    prepare(query, operationName) {
      return viaShape(query, operationName) ?? ordinary(query, operationName);
    },
    async close() {
      const current = worker;
      worker = undefined;
      await current?.close();
    },
  };

  function prepareOperation(analysed: CacheEntry | PrepareFailure, operationName: string | undefined): PreparedDocument | PrepareFailure {
    if ('kind' in analysed) return analysed;
    const operations = analysed.document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    let operation: OperationDefinitionNode | undefined;
    if (operationName) operation = operations.find((o) => o.name?.value === operationName);
    else if (operations.length === 1) operation = operations[0];
    if (!operation) {
      return {
        kind: 'operation',
        error: new GraphQLError(operationName ? `Unknown operation named "${operationName}".` : 'Must provide operation name if query contains multiple operations.'),
      };
    }
    const key = operation.name?.value ?? '';
    const op = operation;
    // compiled on the first execution, not here: a document refused for its complexity (which
    // the caller checks between prepare and execute) never costs a compilation
    const compiledOperation = (): CompiledQuery | undefined => {
      if (analysed.compiled.has(key)) return analysed.compiled.get(key);
      const jit = graphqlJit();
      const result = jit.compileQuery(schema, analysed.document, op.name?.value, { disableLeafSerialization: false });
      const compiled = jit.isCompiledQuery(result) ? result : undefined;
      analysed.compiled.set(key, compiled);
      return compiled;
    };
    const introspectionOnly = op.selectionSet.selections.every((s) => s.kind === Kind.FIELD && s.name.value.startsWith('__'));
    return {
      document: analysed.document,
      operation: op,
      operationType: op.operation as PreparedDocument['operationType'],
      operationName: op.name?.value,
      isIntrospectionOnly: introspectionOnly,
      complexity: (variables) => complexityOf(op.selectionSet, analysed.fragments, variables, new Map()),
      execute(context, variables) {
        if (!analysed.compiled.has(key)) {
          const runs = analysed.executions.get(key) ?? 0;
          if (runs < COMPILE_AFTER_EXECUTIONS) {
            analysed.executions.set(key, runs + 1);
            return executeWithGraphqlJs({ schema, document: analysed.document, operationName: op.name?.value, contextValue: context, variableValues: variables ?? {} });
          }
        }
        const compiled = compiledOperation();
        if (!compiled) throw new Error('graphql-jit could not compile this operation');
        // graphql-jit coerces the variables itself; those it refuses (an answer with errors and no
        // data) are worded by graphql-js's coercion, as on the first runs, so a bad variable gets the
        // same message on every run (graphql-jit words some differently). Only on that path: the
        // happy path coerces once (both on every request were ~7 us of a B2B GraphQL page).
        const reworded = (result: ExecutionResult): ExecutionResult => {
          if (result.data !== undefined || !result.errors?.length) return result;
          const checked = getVariableValues(schema, op.variableDefinitions ?? [], variables ?? {}, { maxErrors: 50 });
          return checked.errors ? { errors: checked.errors } : result;
        };
        const result = compiled.query(undefined, context, variables ?? {});
        return result instanceof Promise ? result.then(reworded) : reworded(result);
      },
    };
  }
}

function literalValue(node: ValueNode, variables: Record<string, unknown> | undefined): unknown {
  switch (node.kind) {
    case Kind.INT:
      return Number.parseInt(node.value, 10);
    case Kind.FLOAT:
      return Number.parseFloat(node.value);
    case Kind.VARIABLE:
      return variables?.[node.name.value];
    default:
      return undefined;
  }
}

function countAliases(document: DocumentNode): number {
  let count = 0;
  const visit = (set: SelectionSetNode | undefined) => {
    if (!set) return;
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) {
        if (s.alias) count += 1;
        visit(s.selectionSet);
      } else if (s.kind === Kind.INLINE_FRAGMENT) visit(s.selectionSet);
    }
  };
  for (const def of document.definitions) {
    if (def.kind === Kind.OPERATION_DEFINITION || def.kind === Kind.FRAGMENT_DEFINITION) visit(def.selectionSet);
  }
  return count;
}

/**
 * The measure of a fragment (its complexity, depth, selections...), computed on its first spread
 * and remembered under `key`: a fragment's measure does not depend on where it is spread, so every
 * walk that uses this is linear in the size of the document however fragments spread each other.
 * A fragment that spreads itself (a validation error, reported later) measures 0 inside itself;
 * an unknown fragment measures 0.
 */
function oncePerFragment(
  memo: Map<string, number>,
  key: string,
  fragments: Map<string, FragmentDefinitionNode>,
  measure: (fragment: FragmentDefinitionNode) => number,
  name = key,
): number {
  let value = memo.get(key);
  if (value === undefined) {
    memo.set(key, 0);
    const fragment = fragments.get(name);
    value = fragment ? measure(fragment) : 0;
    memo.set(key, value);
  }
  return value;
}

/**
 * The longest list each list-valued introspection field can return in this schema: `types`,
 * `fields`, `args`, `inputFields`, `enumValues`, `interfaces`, `possibleTypes`, `directives`,
 * `locations`. What introspectionScore multiplies by.
 */
function introspectionListSizes(schema: GraphQLSchema): Map<string, number> {
  const types = Object.values(schema.getTypeMap());
  const longest = (lengths: number[]) => Math.max(1, ...lengths);
  const fieldsOf = (type: GraphQLNamedType) => ('getFields' in type ? Object.values(type.getFields() as Record<string, { args?: readonly unknown[] }>) : []);
  const directives = schema.getDirectives();
  return new Map<string, number>([
    ['types', types.length],
    ['fields', longest(types.map((type) => fieldsOf(type).length))],
    ['inputFields', longest(types.map((type) => fieldsOf(type).length))],
    ['args', longest([...types.flatMap((type) => fieldsOf(type).map((f) => f.args?.length ?? 0)), ...directives.map((d) => d.args.length)])],
    ['enumValues', longest(types.map((type) => ('getValues' in type ? (type as { getValues(): readonly unknown[] }).getValues().length : 0)))],
    ['interfaces', longest(types.map((type) => ('getInterfaces' in type ? (type as { getInterfaces(): readonly unknown[] }).getInterfaces().length : 0)))],
    ['possibleTypes', longest(types.map((type) => (isAbstractType(type) ? schema.getPossibleTypes(type).length : 0)))],
    ['directives', directives.length],
    ['locations', longest(directives.map((d) => d.locations.length))],
  ]);
}

/**
 * How many selections a selection set holds once every fragment spread is opened (each fragment's
 * count computed once and remembered: linear in the document's size). Stops growing at MAX_SCORE.
 */
function expandedSelections(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, memo: Map<string, number>): number {
  let total = 0;
  for (const s of set.selections) {
    total += 1;
    if (s.kind === Kind.FIELD) {
      if (s.selectionSet) total += expandedSelections(s.selectionSet, fragments, memo);
    } else if (s.kind === Kind.INLINE_FRAGMENT) {
      total += expandedSelections(s.selectionSet, fragments, memo);
    } else {
      total += oncePerFragment(memo, s.name.value, fragments, (fragment) => expandedSelections(fragment.selectionSet, fragments, memo));
    }
    if (total >= MAX_SCORE) return MAX_SCORE;
  }
  return total;
}

/**
 * The field depth of a selection set. Each fragment's own depth is computed once and remembered
 * (a fragment's depth does not depend on where it is spread), so the walk is linear in the size of
 * the document; a fragment cycle (a validation error, reported later) counts 0 inside itself.
 * The result is exact up to `limit` + 1, which is all the caller needs to know.
 */
function selectionDepth(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, memo: Map<string, number>, limit: number): number {
  let max = 0;
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) {
      max = Math.max(max, 1 + (s.selectionSet ? selectionDepth(s.selectionSet, fragments, memo, limit) : 0));
    } else if (s.kind === Kind.INLINE_FRAGMENT) {
      max = Math.max(max, selectionDepth(s.selectionSet, fragments, memo, limit));
    } else {
      max = Math.max(max, oncePerFragment(memo, s.name.value, fragments, (fragment) => selectionDepth(fragment.selectionSet, fragments, memo, limit)));
    }
    if (max > limit) return max;
  }
  return max;
}

/** Coerces variables against the operation's definitions; wrong types come back as GraphQL errors. */
export { getVariableValues } from 'graphql/execution/values.js';

/**
 * graphql-jit, loaded on the first operation compiled (about 50 ms of module loading that a server
 * start or a test app that never runs GraphQL does not pay). Its CommonJS build: the same `graphql`
 * module instance as ours (graphql 16 has no ESM exports map, so both resolve to its CommonJS main).
 */
let jitModule: typeof import('graphql-jit') | undefined;
function graphqlJit(): typeof import('graphql-jit') {
  jitModule ??= createRequire(import.meta.url)('graphql-jit') as typeof import('graphql-jit');
  return jitModule;
}
