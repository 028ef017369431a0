/**
 * Cuts Gitea's Swagger 2.0 document (253 paths) down to the operations the client uses plus every definition and
 * response they reach. The subset is what we commit: small enough to review, and the contract test validates
 * dev/gitea against exactly these schemas.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Operations the client uses: path → methods. Add here, then `npm run gitea:types`. */
export const USED_OPERATIONS: Record<string, string[]> = {
  "/version": ["get"],
  "/user": ["get"],
  "/users/{username}": ["get"],
  "/admin/users": ["post"],
  "/admin/users/{username}": ["patch"],
  "/admin/users/{username}/repos": ["post"],
  "/users/{username}/tokens": ["get", "post"],
  "/users/{username}/tokens/{token}": ["delete"],
  "/user/repos": ["post"],
  "/repos/{owner}/{repo}": ["get"],
  "/repos/{owner}/{repo}/contents": ["get"],
  "/repos/{owner}/{repo}/contents/{filepath}": ["get", "post", "put"],
  "/repos/{owner}/{repo}/commits": ["get"],
};

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function collectRefs(node: Json | undefined, into: Set<string>): void {
  if (Array.isArray(node)) for (const item of node) collectRefs(item, into);
  else if (isObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") into.add(value);
      else collectRefs(value, into);
    }
  }
}

export function pruneSpec(spec: JsonObject): JsonObject {
  const allPaths = spec.paths as JsonObject;
  const paths: JsonObject = {};
  for (const [path, methods] of Object.entries(USED_OPERATIONS)) {
    const item = allPaths[path];
    if (!isObject(item)) throw new Error(`spec has no path ${path}`);
    const kept: JsonObject = {};
    for (const method of methods) {
      const operation = item[method];
      if (!isObject(operation)) throw new Error(`spec has no ${method.toUpperCase()} ${path}`);
      kept[method] = operation;
    }
    if (item.parameters) kept.parameters = item.parameters;
    paths[path] = kept;
  }

  // Follow $refs to a fixed point: responses reference definitions, definitions reference each other.
  const sections = ["definitions", "responses", "parameters"] as const;
  const keep = new Set<string>();
  const pending: string[] = [];
  const visit = (node: Json | undefined) => {
    const refs = new Set<string>();
    collectRefs(node, refs);
    for (const ref of refs) {
      if (keep.has(ref)) continue;
      keep.add(ref);
      pending.push(ref);
    }
  };
  visit(paths);
  while (pending.length > 0) {
    const ref = pending.pop() as string;
    const [, section, name] = ref.split("/");
    const table = spec[section as string];
    if (!isObject(table) || !name || !(name in table)) throw new Error(`unresolved ${ref}`);
    visit(table[name]);
  }

  const out: JsonObject = {};
  for (const [key, value] of Object.entries(spec)) {
    if (key === "paths") out.paths = paths;
    else if ((sections as readonly string[]).includes(key) && isObject(value)) {
      const kept: JsonObject = {};
      for (const name of Object.keys(value).sort()) {
        if (keep.has(`#/${key}/${name}`)) kept[name] = value[name] as Json;
      }
      out[key] = kept;
    } else out[key] = value;
  }
  return out;
}
