import type { RouterRoute } from "hono/types";

// Exact, like Hono's router: `/api/threads/` is no route (404), not a 405 that names the very method used.
const toPattern = (path: string) =>
  new RegExp(
    `^${path
      .split("/")
      .map((part) =>
        part.startsWith(":") ? "[^/]+" : part === "*" ? ".*" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
      )
      .join("/")}$`,
  );

/** Methods that some route serves at this path; empty when the path itself is unknown. */
export function allowedMethods(routes: RouterRoute[], path: string): string[] {
  const methods = new Set<string>();
  for (const route of routes) {
    if (route.method === "ALL" || route.path.includes("*")) continue; // middleware, not endpoints
    if (toPattern(route.path).test(path)) methods.add(route.method);
  }
  if (methods.has("GET")) methods.add("HEAD");
  return [...methods].sort();
}
