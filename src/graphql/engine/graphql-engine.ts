import {
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import { createRequire } from 'node:module';
import type { CompiledQuery } from 'graphql-jit';

/**
 * Shared GraphQL execution for both GraphQL APIs: parse + validate + graphql-jit compile, cached
 * per document text; cost limits (depth, aliases, complexity) checked before execution.
 * The edges own HTTP and error formats; this module only reports what went wrong.
 */
export interface EngineLimits {
  maxDepth: number;
  maxAliases: number;
  maxComplexity: number;
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

export type PrepareFailure =
  | { kind: 'parse'; error: GraphQLError }
  | { kind: 'validation'; errors: readonly GraphQLError[] }
  | { kind: 'limit'; error: GraphQLError; limit: 'depth' | 'aliases' }
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
}

export interface GraphqlEngine {
  readonly schema: GraphQLSchema;
  prepare(query: string, operationName: string | undefined): PreparedDocument | PrepareFailure;
}

const MAX_CACHE = 1000;

export function createGraphqlEngine(schema: GraphQLSchema, limits: EngineLimits): GraphqlEngine {
  const cache = new Map<string, CacheEntry | PrepareFailure>();
  const pageArgs = new Set(limits.pageSizeArgs ?? ['first', 'last']);
  const suffixes = limits.connectionSuffixes ?? ['Connection'];

  function remember(query: string, value: CacheEntry | PrepareFailure) {
    if (cache.size >= MAX_CACHE) cache.delete(cache.keys().next().value as string);
    cache.set(query, value);
  }

  function analyse(query: string): CacheEntry | PrepareFailure {
    const cached = cache.get(query);
    if (cached) return cached;
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: 20_000 });
    } catch (error) {
      const failure: PrepareFailure = { kind: 'parse', error: error as GraphQLError };
      remember(query, failure);
      return failure;
    }
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    // cheap structural limits first, so a hostile document never reaches full validation
    const aliasCount = countAliases(document);
    if (aliasCount > limits.maxAliases) {
      const failure: PrepareFailure = {
        kind: 'limit',
        limit: 'aliases',
        error: new GraphQLError(`The query uses ${aliasCount} aliases; at most ${limits.maxAliases} are allowed.`),
      };
      remember(query, failure);
      return failure;
    }
    for (const def of document.definitions) {
      if (def.kind !== Kind.OPERATION_DEFINITION) continue;
      const depth = selectionDepth(def.selectionSet, fragments, new Set());
      if (depth > limits.maxDepth) {
        const failure: PrepareFailure = {
          kind: 'limit',
          limit: 'depth',
          error: new GraphQLError(`The query has a depth of ${depth}; at most ${limits.maxDepth} is allowed.`),
        };
        remember(query, failure);
        return failure;
      }
    }
    const errors = validate(schema, document, specifiedRules, { maxErrors: 10 });
    if (errors.length > 0) {
      const failure: PrepareFailure = { kind: 'validation', errors };
      remember(query, failure);
      return failure;
    }
    const entry: CacheEntry = { document, fragments, compiled: new Map() };
    remember(query, entry);
    return entry;
  }

  function complexityOf(
    selectionSet: SelectionSetNode,
    fragments: Map<string, FragmentDefinitionNode>,
    variables: Record<string, unknown> | undefined,
    parentTypeIsConnection: (field: FieldNode) => boolean,
    seen: Set<string>,
  ): number {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        total += 1;
        if (selection.selectionSet) {
          const isConnection = parentTypeIsConnection(selection);
          if (isConnection && skipRefused && isRefusedPageSize(selection, variables)) continue;
          const inner = complexityOf(selection.selectionSet, fragments, variables, parentTypeIsConnection, seen);
          total += isConnection ? inner * pageSize(selection, variables) : inner;
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        total += complexityOf(selection.selectionSet, fragments, variables, parentTypeIsConnection, seen);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (fragment && !seen.has(name)) {
          seen.add(name);
          total += complexityOf(fragment.selectionSet, fragments, variables, parentTypeIsConnection, seen);
          seen.delete(name);
        }
      }
    }
    return total;
  }

  const skipRefused = limits.outOfRangePageSizes === 'skip';

  function isRefusedPageSize(field: FieldNode, variables: Record<string, unknown> | undefined): boolean {
    let given = 0;
    for (const arg of field.arguments ?? []) {
      if (!pageArgs.has(arg.name.value)) continue;
      const value = valueOf(arg.value, variables);
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
      const value = valueOf(arg.value, variables);
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

  return {
    schema,
    prepare(query, operationName) {
      const analysed = analyse(query);
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
      let compiled = analysed.compiled.get(key);
      if (!analysed.compiled.has(key)) {
        const jit = graphqlJit();
        const result = jit.compileQuery(schema, analysed.document, operation.name?.value, { disableLeafSerialization: false });
        compiled = jit.isCompiledQuery(result) ? result : undefined;
        analysed.compiled.set(key, compiled);
      }
      const op = operation;
      const introspectionOnly = op.selectionSet.selections.every((s) => s.kind === Kind.FIELD && s.name.value.startsWith('__'));
      return {
        document: analysed.document,
        operation: op,
        operationType: op.operation as PreparedDocument['operationType'],
        operationName: op.name?.value,
        isIntrospectionOnly: introspectionOnly,
        complexity: (variables) => complexityOf(op.selectionSet, analysed.fragments, variables, isConnectionField, new Set()),
        execute(context, variables) {
          if (!compiled) throw new Error('graphql-jit could not compile this operation');
          return compiled.query(undefined, context, variables ?? {});
        },
      };
    },
  };
}

function valueOf(node: ValueNode, variables: Record<string, unknown> | undefined): unknown {
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

function selectionDepth(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>): number {
  let max = 0;
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) {
      max = Math.max(max, 1 + (s.selectionSet ? selectionDepth(s.selectionSet, fragments, seen) : 0));
    } else if (s.kind === Kind.INLINE_FRAGMENT) {
      max = Math.max(max, selectionDepth(s.selectionSet, fragments, seen));
    } else {
      const name = s.name.value;
      const fragment = fragments.get(name);
      // a fragment cycle is a validation error; depth stops there
      if (fragment && !seen.has(name)) {
        seen.add(name);
        max = Math.max(max, selectionDepth(fragment.selectionSet, fragments, seen));
        seen.delete(name);
      }
    }
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
