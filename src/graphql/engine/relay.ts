/**
 * Relay connections (both GraphQL APIs): the edges of a page with their cursors, and the
 * `pageInfo` that goes with them.
 */
export interface RelayEdge<N> {
  cursor: string;
  node: N;
}

/** `hasNextPage` / `hasPreviousPage` as the page gives them (a boolean, or a lazy one the resolver evaluates). */
export interface RelayPageInfo<H = boolean> {
  hasNextPage: H;
  hasPreviousPage: H;
  startCursor: string | null;
  endCursor: string | null;
}

export function relayPage<T, N, H>(
  page: { items: readonly T[]; hasNextPage: H; hasPreviousPage: H },
  cursorOf: (item: T) => string,
  toNode: (item: T) => N,
): { edges: RelayEdge<N>[]; pageInfo: RelayPageInfo<H> } {
  const edges = page.items.map((item) => ({ cursor: cursorOf(item), node: toNode(item) }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
