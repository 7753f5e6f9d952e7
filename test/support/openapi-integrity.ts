import type { OpenAPIObject } from '@nestjs/swagger';

/** Every `$ref` in the document that points at nothing in it. */
export function unresolvedRefs(document: OpenAPIObject): string[] {
  const unresolved = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && resolve(document, value) === undefined) {
        unresolved.add(value);
      }
      visit(value);
    }
  };
  visit(document);
  return [...unresolved];
}

function resolve(document: OpenAPIObject, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = document;
  for (const part of ref.slice(2).split('/')) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    node =
      node !== null && typeof node === 'object'
        ? (node as Record<string, unknown>)[key]
        : undefined;
  }
  return node;
}

/** Security schemes that operations (or the document) require and `components` does not define. */
export function undefinedSecuritySchemes(document: OpenAPIObject): string[] {
  const defined = new Set(Object.keys(document.components?.securitySchemes ?? {}));
  const missing = new Set<string>();
  const requirements = [
    ...(document.security ?? []),
    ...Object.values(document.paths).flatMap((item) =>
      Object.values(item as Record<string, { security?: Record<string, string[]>[] }>).flatMap(
        (operation) => operation?.security ?? [],
      ),
    ),
  ];
  for (const requirement of requirements) {
    for (const name of Object.keys(requirement)) if (!defined.has(name)) missing.add(name);
  }
  return [...missing];
}

/** The security requirements of one operation, by path and method. */
export function securityOf(
  document: OpenAPIObject,
  path: string,
  method: 'get' | 'post',
): Record<string, string[]>[] | undefined {
  const operation = (
    document.paths[path] as Record<string, { security?: Record<string, string[]>[] }>
  )?.[method];
  if (!operation) throw new Error(`no operation ${method.toUpperCase()} ${path} in the document`);
  return operation.security;
}
