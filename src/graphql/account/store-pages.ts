import { type DocumentNode, type FragmentDefinitionNode, Kind, type SelectionSetNode } from 'graphql';
import type { PageRequest } from '../../domain/accounts/keyset-page.js';
import { ACCOUNT_USER_ROWS_TENANT, ACCOUNT_USER_TOUCHES_TENANT, storeMembersTenant } from '../../domain/domain-events.js';
import type { Store } from '../../domain/stores/store-repository.js';
import type { AccountService } from '../../domain/users/account-service.js';
import { UNDECLARED_WRITES_ONLY } from '../../db/tenant-ledger.js';

/**
 * Pages of a store's users kept per item (issue #16): `account { stores { ... users(first, after) } }`
 * without filters. Every add or remove of a store member changes such a page's `totalItems` (and
 * may change `hasNextPage`), so a page kept per data version, or per store, was stale at nearly
 * every ask under a tenth of writes. Kept instead with what it shows (its users' rows and their
 * memberships of the store, the account's stores) and its two totals left open: at each hit the
 * store's page is taken again from the member view (memory), its users must be the ones kept, and
 * `hasNextPage` and `totalItems` are filled in as they are now.
 */
export interface StorePageShown {
  /** where the connection is in the answer (response keys) */
  path: readonly (string | number)[];
  store: Store;
  request: PageRequest;
  ids: readonly number[];
}

type Shape = { readonly [field: string]: Shape | true };

/** The User fields that come from the user's row and its status in the account (or store): what kept answers may show of a user */
export const USER_ROW_FIELDS = ['__typename', 'id', 'email', 'firstName', 'lastName', 'locale', 'lastLoginAt', 'status', 'updatedAt'] as const;
const leaves = (...names: readonly string[]): Shape => Object.fromEntries(names.map((name) => [name, true]));
const connection = (node: Shape, pageInfo: Shape): Shape => ({
  __typename: true,
  edges: { __typename: true, cursor: true, node },
  pageInfo,
  collectionInfo: leaves('__typename', 'totalItems'),
});
/** What a kept store page may ask: the store's own fields and its users as their membership shows them (no apps: they have their own rows) */
const STORES: Shape = connection(
  { ...leaves('__typename', 'id', 'name', 'storeHash'), users: connection(leaves(...USER_ROW_FIELDS, 'permissions'), leaves('__typename', 'hasNextPage', 'startCursor', 'endCursor')) },
  leaves('__typename', 'hasNextPage', 'hasPreviousPage', 'startCursor', 'endCursor'),
);
/** `account.users` is checked by its own rules (account-graphql-routes.ts readsOnlyAccountUsers): anything of the user rows */
const ACCOUNT_USERS: Shape = connection(leaves(...USER_ROW_FIELDS), leaves('__typename', 'hasNextPage', 'hasPreviousPage', 'startCursor', 'endCursor'));
const QUERY: Shape = { __typename: true, account: { __typename: true, id: true, users: ACCOUNT_USERS, stores: STORES } };

/**
 * Does the document read store pages, and only what `QUERY` allows (one query, no aliases or
 * directives, fragments followed)? Its answer can then be kept per item when each store page it
 * read was recorded (`Store.users` without filters, paging forward).
 */
export function readsStorePages(document: DocumentNode): boolean {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operations = 0;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    else if (definition.kind === Kind.OPERATION_DEFINITION && definition.operation === 'query') operations += 1;
    else return false;
  }
  let stores = false;
  const fits = (set: SelectionSetNode, shape: Shape, depth: number): boolean =>
    depth < 32 &&
    set.selections.every((selection) => {
      if ((selection.directives?.length ?? 0) > 0) return false;
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        return fragment !== undefined && fits(fragment.selectionSet, shape, depth + 1);
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) return fits(selection.selectionSet, shape, depth + 1);
      if (selection.alias !== undefined) return false;
      const inner = shape[selection.name.value];
      if (inner === undefined) return false;
      if (inner === STORES) stores = true;
      if (inner === true) return selection.selectionSet === undefined;
      return selection.selectionSet !== undefined && fits(selection.selectionSet, inner, depth + 1);
    });
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  return operations === 1 && operation?.kind === Kind.OPERATION_DEFINITION && fits(operation.selectionSet, QUERY, 0) && stores;
}

/** One place of the answer filled at each hit: a store page's `hasNextPage` or `totalItems`. */
interface Slot {
  page: StorePageShown;
  field: 'hasNextPage' | 'totalItems';
}

export interface KeptStorePages {
  /** what the answer shows, per tenant (http/answer-cache.ts ItemDependency) */
  shows: { tenant: string; items: readonly number[] | null }[];
  /** the answer as it is now, or undefined when a page no longer shows the users it was kept with */
  fill(): Promise<string | undefined>;
}

/**
 * The answer `body` (the response object, `data` inside) with its store pages' totals left open,
 * or undefined when they cannot be found exactly once in its text.
 */
export function keepStorePages(body: { data?: unknown }, pages: readonly StorePageShown[], accounts: AccountService): KeptStorePages | undefined {
  const slots: Slot[] = [];
  const restore: (() => void)[] = [];
  for (const page of pages) {
    let at: unknown = body.data;
    for (const key of page.path) at = at === null || typeof at !== 'object' ? undefined : (at as Record<string | number, unknown>)[key];
    if (at === null || typeof at !== 'object') return undefined;
    const open = (holder: unknown, field: Slot['field']) => {
      if (holder === null || typeof holder !== 'object' || !(field in holder)) return;
      const record = holder as Record<string, unknown>;
      const value = record[field];
      record[field] = `\u0000roster-slot-${slots.length}\u0000`;
      restore.push(() => {
        record[field] = value;
      });
      slots.push({ page, field });
    };
    open((at as { pageInfo?: unknown }).pageInfo, 'hasNextPage');
    open((at as { collectionInfo?: unknown }).collectionInfo, 'totalItems');
  }
  const template = JSON.stringify(body);
  for (const undo of restore) undo();
  // cut where each slot is in the text (in the text's order, whatever the document's), each found exactly once
  const markers = slots.map((_, i) => JSON.stringify(`\u0000roster-slot-${i}\u0000`));
  const at = markers.map((marker) => template.indexOf(marker));
  if (at.some((start, i) => start < 0 || template.indexOf(markers[i] as string, start + 1) >= 0)) return undefined;
  const order = slots.map((_, i) => i).sort((a, b) => (at[a] as number) - (at[b] as number));
  const holes = order.map((i) => slots[i] as Slot);
  const parts: string[] = [];
  let from = 0;
  for (const i of order) {
    parts.push(template.slice(from, at[i]));
    from = (at[i] as number) + (markers[i] as string).length;
  }
  parts.push(template.slice(from));

  const shows: KeptStorePages['shows'] = pages.flatMap((page) => [
    // the users' memberships of the store (their permissions: today only writes the ledger cannot
    // explain change them, which move every tenant) and their rows; who else joins or leaves the page
    // is checked at each hit
    { tenant: storeMembersTenant(page.store.id), items: page.ids },
    { tenant: ACCOUNT_USER_ROWS_TENANT, items: page.ids },
    { tenant: ACCOUNT_USER_TOUCHES_TENANT, items: page.ids },
  ]);
  // the account's stores (and the API account's token): changed only by writes the ledger cannot explain
  shows.push({ tenant: UNDECLARED_WRITES_ONLY, items: null });

  return {
    shows,
    async fill() {
      const now = new Map<StorePageShown, { hasNextPage: boolean; totalItems: number }>();
      // every page, whether it left a total open or not: its users must be the ones kept
      for (const page of pages) {
        const current = (await accounts.listStoreMembersBatch([page.store.id], page.request)).get(page.store.id);
        if (!current || current.items.length !== page.ids.length || current.items.some((member, i) => member.id !== page.ids[i])) return undefined;
        const hasNextPage = typeof current.hasNextPage === 'boolean' ? current.hasNextPage : await current.hasNextPage();
        now.set(page, { hasNextPage, totalItems: await accounts.countStoreMembers(page.store) });
      }
      let text = parts[0] as string;
      for (const [k, hole] of holes.entries()) text += JSON.stringify(now.get(hole.page)?.[hole.field]) + (parts[k + 1] as string);
      return text;
    },
  };
}
