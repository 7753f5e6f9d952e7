import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The committed OpenAPI document (kept equal to the server's by test/e2e/openapi.e2e-spec.ts). */
export const OPENAPI_PATH = join(__dirname, '..', '..', '..', 'openapi.json');

export interface Schema {
  type?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  example?: unknown;
  $ref?: string;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}

/** One operation of the document, with everything a request generator and a checker need. */
export interface Operation {
  method: string;
  /** The path template, `/api-users/{id}`. */
  path: string;
  /** Matches a concrete path (without its query string) against the template. */
  pattern: RegExp;
  pathParams: string[];
  query: Parameter[];
  headers: Parameter[];
  /** The documented request body: its media type and (resolved) schema. */
  body?: { contentType: string; schema: Schema };
  /** Whether the operation wants a bearer token. */
  bearer: boolean;
  /** The documented error responses: status to the name of their body's schema. */
  errorSchemas: Record<string, string>;
}

interface Document {
  paths: Record<string, Record<string, RawOperation>>;
  components: { schemas: Record<string, Schema> };
}

interface RawOperation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
  security?: unknown[];
}

function refName(schema: Schema | undefined): string | undefined {
  return schema?.$ref?.split('/').pop();
}

export function loadOperations(path = OPENAPI_PATH): Operation[] {
  const document = JSON.parse(readFileSync(path, 'utf8')) as Document;
  const resolve = (schema: Schema): Schema =>
    schema.$ref === undefined ? schema : document.components.schemas[refName(schema) as string];
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, raw] of Object.entries(item)) {
      const parameters = raw.parameters ?? [];
      const bodyEntry = Object.entries(raw.requestBody?.content ?? {})[0];
      const errorSchemas: Record<string, string> = {};
      for (const [status, response] of Object.entries(raw.responses)) {
        const name = refName(response.content?.['application/json']?.schema);
        if (Number(status) >= 400 && name !== undefined) errorSchemas[status] = name;
      }
      const escaped = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      operations.push({
        method: method.toUpperCase(),
        path,
        pattern: new RegExp(`^${escaped.replace(/\{[^}]+\}/g, '[^/]+')}$`),
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        query: parameters.filter((p) => p.in === 'query'),
        headers: parameters.filter((p) => p.in === 'header'),
        body: bodyEntry && { contentType: bodyEntry[0], schema: resolve(bodyEntry[1].schema) },
        bearer: (raw.security ?? []).some((entry) =>
          Object.keys(entry as object).includes('bearer'),
        ),
        errorSchemas,
      });
    }
  }
  return operations;
}

/** The operation a request reaches, if any: same method (HEAD reaches GET), matching path. */
export function operationFor(
  operations: readonly Operation[],
  method: string,
  path: string,
): Operation | undefined {
  const wanted = method === 'HEAD' ? 'GET' : method;
  return operations.find((op) => op.method === wanted && op.pattern.test(path));
}
