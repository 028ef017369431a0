/**
 * The API's operations as its served OpenAPI document describes them, for tests that go over every route (the
 * hostile-input suite): a route added to the Worker is covered without touching the tests.
 */

import { MAX_RIVET_ACTION_BODY_BYTES, MAX_RIVET_MANAGER_BODY_BYTES } from "../../worker/src/http/limits";

/** The subset of JSON Schema the Worker's zod schemas produce (zod-to-openapi, OpenAPI 3.1). */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  default?: unknown;
  example?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

export interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  /** `METHOD /path` as in the document, e.g. `PATCH /threads/{id}`. */
  key: string;
  method: string;
  /** Path template relative to the API base (`/api`), e.g. `/threads/{id}`. */
  path: string;
  parameters: Parameter[];
  /** The JSON request body, when the operation takes one. */
  body?: { schema: JsonSchema; required: boolean };
  /** Every status the document lists for the operation. */
  statuses: number[];
  /** Needs a bearer token. */
  secured: boolean;
}

interface RawOperation {
  parameters?: Array<Parameter & { $ref?: string }>;
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, unknown>;
  security?: Array<Record<string, unknown>>;
}

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, RawOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
  security?: Array<Record<string, unknown>>;
}

const METHODS = new Set(["get", "put", "post", "delete", "patch", "head", "options"]);

/** Resolves `$ref`s (local components only) throughout a schema. */
export function resolveSchema(document: OpenApiDocument, schema: JsonSchema, depth = 0): JsonSchema {
  if (depth > 20) throw new Error("schema nesting too deep (a $ref cycle?)");
  if (schema.$ref) {
    const name = schema.$ref.replace("#/components/schemas/", "");
    const target = document.components?.schemas?.[name];
    if (!target) throw new Error(`unresolved $ref ${schema.$ref}`);
    return resolveSchema(document, target, depth + 1);
  }
  const resolved: JsonSchema = { ...schema };
  if (schema.properties) {
    resolved.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([name, property]) => [
        name,
        resolveSchema(document, property, depth + 1),
      ]),
    );
  }
  if (schema.items) resolved.items = resolveSchema(document, schema.items, depth + 1);
  if (schema.anyOf) resolved.anyOf = schema.anyOf.map((s) => resolveSchema(document, s, depth + 1));
  if (schema.oneOf) resolved.oneOf = schema.oneOf.map((s) => resolveSchema(document, s, depth + 1));
  return resolved;
}

/** Every operation of the document, in document order. */
export function operationsOf(document: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, raw] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      const json = raw.requestBody?.content?.["application/json"]?.schema;
      operations.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        parameters: (raw.parameters ?? []).map((parameter) => ({
          name: parameter.name,
          in: parameter.in,
          required: parameter.required ?? parameter.in === "path",
          schema: resolveSchema(document, parameter.schema ?? {}),
        })),
        body: json
          ? { schema: resolveSchema(document, json), required: raw.requestBody?.required ?? false }
          : undefined,
        statuses: Object.keys(raw.responses ?? {})
          .map(Number)
          .filter((status) => Number.isInteger(status)),
        secured: (raw.security ?? document.security ?? []).length > 0,
      });
    }
  }
  return operations;
}

/** Fetches the document the Worker serves and lists its operations. */
export async function loadOperations(
  apiUrl: string,
): Promise<{ document: OpenApiDocument; operations: Operation[] }> {
  const response = await fetch(`${apiUrl}/api/openapi.json`);
  if (!response.ok) throw new Error(`GET /api/openapi.json answered ${response.status}`);
  const document = (await response.json()) as OpenApiDocument;
  return { document, operations: operationsOf(document) };
}

/** A path segment's value: encoded, unless it is a deliberately raw (possibly malformed) escape sequence. */
export type PathValue = string | { raw: string };

/** `/api/threads/<id>/messages?…` for an operation, its path values and query pairs (repeats allowed). */
export function urlFor(
  apiUrl: string,
  operation: Pick<Operation, "path">,
  pathValues: Record<string, PathValue>,
  query: Array<[string, string]> = [],
): string {
  const path = operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = pathValues[name];
    if (value === undefined) throw new Error(`no value for path parameter ${name}`);
    return typeof value === "string" ? encodeURIComponent(wellFormed(value)) : value.raw;
  });
  const search = new URLSearchParams(query.map(([k, v]) => [wellFormed(k), wellFormed(v)]));
  const suffix = query.length > 0 ? `?${search}` : "";
  return `${apiUrl}/api${path}${suffix}`;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Lone surrogates become U+FFFD, as a URL or a UTF-8 body would carry them (`String#toWellFormed`). */
export const wellFormed = (text: string): string => text.replace(LONE_SURROGATE, "\ufffd");

/** A value the schema accepts: its example, first enum value or default, or a plain one of its type. */
export function validExample(schema: JsonSchema): unknown {
  if (schema.example !== undefined) return schema.example;
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  switch (type) {
    case "object": {
      const value: Record<string, unknown> = {};
      for (const name of schema.required ?? []) {
        const property = schema.properties?.[name];
        if (property) value[name] = validExample(property);
      }
      return value;
    }
    case "array":
      return [];
    case "integer":
    case "number":
      return Math.max(schema.minimum ?? 1, 1);
    case "boolean":
      return true;
    case "string":
      if (schema.format === "uuid") return crypto.randomUUID();
      return "x".repeat(Math.max(schema.minLength ?? 1, 1));
    default:
      return null;
  }
}

/** The schema's type without `null`. */
export const baseType = (schema: JsonSchema): string | undefined =>
  Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;

/**
 * RivetKit's manager routes (`/api/rivet/*`), which are not in the OpenAPI document (RivetKit serves them): the ones
 * a client of ours uses (worker/src/actors/manager-routes.ts), with how each carries its credentials and body.
 */
export interface RivetRoute {
  key: string;
  method: "GET" | "PUT" | "POST";
  /** Credentials: a bearer header (manager calls), or connection params (header for HTTP, sub-protocol for WS). */
  credentials: "bearer" | "params";
  /** What names the actor: a name+key (query or JSON body), or the actor id in the path. */
  target: "query" | "body" | "actor-id";
  /** The body limit, when the route takes a body (worker/src/http/body-limit.ts). */
  maxBodyBytes?: number;
  webSocket?: boolean;
}

export const RIVET_ROUTES: readonly RivetRoute[] = [
  { key: "GET /rivet/actors?name&key", method: "GET", credentials: "bearer", target: "query" },
  {
    key: "PUT /rivet/actors",
    method: "PUT",
    credentials: "bearer",
    target: "body",
    maxBodyBytes: MAX_RIVET_MANAGER_BODY_BYTES,
  },
  {
    key: "POST /rivet/actors",
    method: "POST",
    credentials: "bearer",
    target: "body",
    maxBodyBytes: MAX_RIVET_MANAGER_BODY_BYTES,
  },
  {
    key: "POST /rivet/gateway/{id}/action/{name}",
    method: "POST",
    credentials: "params",
    target: "actor-id",
    maxBodyBytes: MAX_RIVET_ACTION_BODY_BYTES,
  },
  {
    key: "GET /rivet/gateway/{id}/connect (WebSocket)",
    method: "GET",
    credentials: "params",
    target: "actor-id",
    webSocket: true,
  },
];

/** Routes RivetKit serves that no client of ours needs: 404 to anyone, whatever the token (`{id}`: an actor id). */
export const RIVET_CLOSED_ROUTES: ReadonlyArray<readonly [method: string, path: string]> = [
  ["GET", "/actors/{id}/kv/keys/{kvKey}"],
  ["GET", "/actors?name=growAgent"],
  ["GET", "/actors?name=subAgent"],
  ["GET", "/actors?actor_ids={id}"],
  ["GET", "/actors/names?namespace=default"],
  ["DELETE", "/actors/{id}"],
  ["GET", "/health"],
  ["GET", "/"],
  ["GET", "/ui/"],
  ["GET", "/gateway/{id}/inspector/state"],
  ["GET", "/gateway/{id}/inspector/connections"],
  ["GET", "/gateway/{id}/request/anything"],
  ["POST", "/gateway/{id}/queue/q"],
  ["GET", "/gateway/{id}/action/whoami"],
  ["POST", "/.test/inline-driver/call"],
  ["POST", "/.test/force-disconnect?actor={id}&conn=x"],
];
