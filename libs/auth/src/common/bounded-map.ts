import { LRUCache } from 'lru-cache';

/**
 * A map of at most `max` entries under string keys, in the order they were last set (`peek`
 * reads without changing it), that drops the entry set longest ago to make room.
 *
 * Not a `Map` deleting its first key: V8 keeps a Map's deleted entries as holes until the
 * table is rebuilt, and iteration steps over them one at a time. Under steady eviction the
 * holes pile up at the front, so finding the first key grew to tens of µs per call at
 * 100 000 entries, on every token request once a key was at its session cap (BENCHMARKS.md,
 * round 18). lru-cache keeps the order in a linked list of slots instead.
 */
export type BoundedMap<V extends NonNullable<unknown>> = LRUCache<string, V>;

/** `onEvict` is called for each entry dropped to make room (not for deletes or overwrites). */
export function boundedMap<V extends NonNullable<unknown>>(
  max: number,
  onEvict?: (value: V, key: string) => void,
): BoundedMap<V> {
  return new LRUCache<string, V>({
    max,
    ...(onEvict && {
      dispose: (value: V, key: string, reason: LRUCache.DisposeReason) => {
        if (reason === 'evict') onEvict(value, key);
      },
    }),
  });
}
