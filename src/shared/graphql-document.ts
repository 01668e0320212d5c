import { type DocumentNode, GraphQLError, parse } from 'graphql';
import { withoutFrames } from './errors.js';
import { createWeightedLru, textWeight } from './weighted-lru.js';

/**
 * The one way Roster parses a GraphQL document, wherever it reads one (both GraphQL engines, the
 * emulator's request facts, the journal's redaction): bounded, so that no document can make a
 * parse, or any walk of what it returns, cost more than its size allows.
 *
 * - at most MAX_DOCUMENT_TOKENS tokens (graphql-js stops the lexer there);
 * - brackets (`{`, `[`, `(`) nested at most MAX_DOCUMENT_NESTING deep, checked by a scan of the
 *   text before parsing: graphql-js parses recursively, and every walk of the tree after it
 *   (validation, graphql-jit, our own limits) recurses too, so a document that parses must not
 *   be able to overflow the stack of the code that reads it.
 *
 * Parsed documents are kept by text (an LRU bounded by weight, see weighted-lru.ts): the engine,
 * the request facts and the journal of one request share one parse, and a repeated document is not
 * parsed again. Documents are never
 * changed by their readers (graphql-js and graphql-jit treat the AST as immutable).
 */
export const MAX_DOCUMENT_TOKENS = 20_000;
export const MAX_DOCUMENT_NESTING = 128;

const kept = createWeightedLru<DocumentNode | GraphQLError>({ maxEntries: 1000, maxWeight: 32 * 1024 * 1024 });

/** The parsed document, or the GraphQLError that says why it is not one (never throws). */
export function parseGraphqlDocument(text: string): DocumentNode | GraphQLError {
  const hit = kept.get(text);
  if (hit !== undefined) return hit;
  const result = parseUncached(text);
  if (result instanceof GraphQLError) withoutFrames(result); // the parser's frames hold its whole token list
  kept.set(text, result, documentWeight(text, result));
  return result;
}

/** measured: ~480 bytes a token (its node, name, location and the token list the locations point into) */
const TOKEN_WEIGHT = 500;

/** An estimate of the bytes a parsed document (or its error) keeps alive with its text, for caches keyed by it. */
export function documentWeight(text: string, parsed: DocumentNode | GraphQLError): number {
  if (parsed instanceof GraphQLError) return textWeight(text) + 1024;
  let tokens = 0;
  for (let token = parsed.loc?.startToken ?? null; token !== null; token = token.next) tokens += 1;
  return textWeight(text) + TOKEN_WEIGHT * tokens;
}

function parseUncached(text: string): DocumentNode | GraphQLError {
  const nesting = bracketNesting(text, MAX_DOCUMENT_NESTING);
  if (nesting > MAX_DOCUMENT_NESTING) {
    return new GraphQLError(`Syntax Error: Document nests brackets more than ${MAX_DOCUMENT_NESTING} levels deep. Parsing aborted.`);
  }
  try {
    return parse(text, { maxTokens: MAX_DOCUMENT_TOKENS });
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    // not reachable within the nesting bound; kept so that a parse can never throw
    return new GraphQLError('Syntax Error: Document could not be parsed.');
  }
}

const OPEN = new Set([0x7b, 0x5b, 0x28]); // { [ (
const CLOSE = new Set([0x7d, 0x5d, 0x29]); // } ] )

/**
 * The deepest bracket nesting of a GraphQL text, outside strings, block strings and comments;
 * stops counting (and returns) as soon as it passes `stopAbove`. One pass, no allocation.
 */
export function bracketNesting(text: string, stopAbove: number): number {
  let depth = 0;
  let max = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x23) {
      // # comment to the end of the line
      while (i < length && text.charCodeAt(i) !== 0x0a && text.charCodeAt(i) !== 0x0d) i++;
    } else if (c === 0x22) {
      if (text.startsWith('""', i + 1)) {
        // """block string""": ends at the next unescaped """
        i += 3;
        while (i < length && !(text.startsWith('"""', i) && text.charCodeAt(i - 1) !== 0x5c)) i++;
        i += 2;
      } else {
        i++;
        while (i < length) {
          const s = text.charCodeAt(i);
          if (s === 0x5c) i += 2;
          else if (s === 0x22 || s === 0x0a || s === 0x0d) break;
          else i++;
        }
      }
    } else if (OPEN.has(c)) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > stopAbove) return max;
      }
    } else if (CLOSE.has(c)) {
      depth--;
    }
  }
  return max;
}
