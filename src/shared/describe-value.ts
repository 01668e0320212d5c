/** Longest echo of a client value in an error message (characters, before the ellipsis). */
export const MAX_ECHO_LENGTH = 100;

/**
 * A client value as an error message may echo it (`The value "…" is not a valid role.`): scalars as
 * their text, arrays and objects as their JSON text; cut after MAX_ECHO_LENGTH characters with `…`.
 * Never recursive and never more work than the echo needs: a value nested 100,000 levels deep (which
 * `JSON.stringify` and `String` cannot convert without overflowing the stack) is echoed by its first
 * brackets, and a huge array or string by its beginning. Values are what a JSON body or a GraphQL
 * coercion gives (no getters, no `toJSON`); other objects are rendered from their own enumerable keys.
 */
export function describeValue(value: unknown, max: number = MAX_ECHO_LENGTH): string {
  if (typeof value === 'string') return cut(value, max);
  if (value === null || typeof value !== 'object') return cut(String(value), max);
  let out = '';
  const full = () => out.length > max;
  // frames of the containers being written: the next index, or the remaining keys
  const stack: ({ items: readonly unknown[]; next: number } | { record: Record<string, unknown>; keys: string[]; next: number })[] = [];
  const open = (item: unknown): void => {
    if (item === null || typeof item !== 'object') {
      out += typeof item === 'string' ? JSON.stringify(item.length > max ? item.slice(0, max + 1) : item) : item === undefined ? 'null' : String(item);
      return;
    }
    if (Array.isArray(item)) {
      out += '[';
      stack.push({ items: item, next: 0 });
    } else {
      out += '{';
      stack.push({ record: item as Record<string, unknown>, keys: Object.keys(item), next: 0 });
    }
  };
  open(value);
  while (stack.length > 0 && !full()) {
    const frame = stack[stack.length - 1] as (typeof stack)[number];
    if ('items' in frame) {
      if (frame.next >= frame.items.length) {
        out += ']';
        stack.pop();
        continue;
      }
      if (frame.next > 0) out += ',';
      open(frame.items[frame.next++]);
    } else {
      if (frame.next >= frame.keys.length) {
        out += '}';
        stack.pop();
        continue;
      }
      const key = frame.keys[frame.next++] as string;
      out += `${frame.next > 1 ? ',' : ''}${JSON.stringify(key.length > max ? key.slice(0, max + 1) : key)}:`;
      open(frame.record[key]);
    }
  }
  return cut(out, max);
}

/** `text`, or its first `max` characters and `…` (never half of a surrogate pair). */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  const end = code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
  return `${text.slice(0, end)}…`;
}
