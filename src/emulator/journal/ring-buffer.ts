/** A bounded, append-only list: the oldest entries fall off once `capacity` is reached. */
export interface RingBuffer<T> {
  push(item: T): void;
  /** oldest first */
  toArray(): T[];
  clear(): void;
  readonly size: number;
  readonly capacity: number;
}

export function createRingBuffer<T>(capacity: number): RingBuffer<T> {
  const items: (T | undefined)[] = new Array(Math.max(0, capacity));
  let start = 0;
  let size = 0;
  return {
    push(item) {
      if (capacity <= 0) return;
      if (size < capacity) {
        items[(start + size) % capacity] = item;
        size += 1;
      } else {
        items[start] = item;
        start = (start + 1) % capacity;
      }
    },
    toArray() {
      const out: T[] = [];
      for (let i = 0; i < size; i += 1) out.push(items[(start + i) % capacity] as T);
      return out;
    },
    clear() {
      items.fill(undefined);
      start = 0;
      size = 0;
    },
    get size() {
      return size;
    },
    capacity,
  };
}
