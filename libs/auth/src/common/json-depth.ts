/** Deepest nesting of objects and arrays a JSON body may have (the body itself is level 1). */
export const MAX_JSON_DEPTH = 32;

/**
 * True when `value` nests objects or arrays deeper than `maxDepth`. Iterative, so a hostile
 * body cannot overflow the stack here the way it does in class-transformer's recursive copy;
 * it stops at the first level too deep. A body whose fields are all scalars (every hot-path
 * body) costs one pass over its top-level fields and no allocation.
 */
export function nestsDeeperThan(value: unknown, maxDepth = MAX_JSON_DEPTH): boolean {
  if (typeof value !== 'object' || value === null) return false;
  let pending: Array<[object, number]> | undefined;
  let current: object | undefined = value;
  let depth = 1;
  while (current !== undefined) {
    for (const key in current) {
      const child = (current as Record<string, unknown>)[key];
      if (typeof child !== 'object' || child === null) continue;
      if (depth + 1 > maxDepth) return true;
      (pending ??= []).push([child, depth + 1]);
    }
    const next = pending?.pop();
    [current, depth] = next ?? [undefined, 0];
  }
  return false;
}
