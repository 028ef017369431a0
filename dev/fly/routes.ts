/** The subset of the Machines API that dev/fly serves; `dev/fly/fly-server.test.ts` checks each against Fly's spec. */
export const FLY_ROUTES = [
  ["GET", "/apps"],
  ["POST", "/apps"],
  ["GET", "/apps/{app_name}"],
  ["DELETE", "/apps/{app_name}"],
  ["GET", "/apps/{app_name}/machines"],
  ["POST", "/apps/{app_name}/machines"],
  ["GET", "/apps/{app_name}/machines/{machine_id}"],
  ["POST", "/apps/{app_name}/machines/{machine_id}"],
  ["DELETE", "/apps/{app_name}/machines/{machine_id}"],
  ["POST", "/apps/{app_name}/machines/{machine_id}/start"],
  ["POST", "/apps/{app_name}/machines/{machine_id}/stop"],
  ["POST", "/apps/{app_name}/machines/{machine_id}/suspend"],
  ["GET", "/apps/{app_name}/machines/{machine_id}/wait"],
  ["GET", "/apps/{app_name}/machines/{machine_id}/lease"],
  ["POST", "/apps/{app_name}/machines/{machine_id}/lease"],
  ["DELETE", "/apps/{app_name}/machines/{machine_id}/lease"],
  ["GET", "/apps/{app_name}/volumes"],
  ["POST", "/apps/{app_name}/volumes"],
  ["GET", "/apps/{app_name}/volumes/{volume_id}"],
  ["DELETE", "/apps/{app_name}/volumes/{volume_id}"],
] as const;

/** Matches `/v1/...` against the route table; returns the route and its path parameters. */
export function matchRoute(method: string, pathname: string) {
  const rest = pathname.replace(/^\/v1/, "");
  for (const route of FLY_ROUTES) {
    if (route[0] !== method) continue;
    const names: string[] = [];
    const pattern = new RegExp(
      `^${route[1].replace(/\{(\w+)\}/g, (_, name: string) => {
        names.push(name);
        return "([^/]+)";
      })}$`,
    );
    const match = pattern.exec(rest);
    if (!match) continue;
    const params: Record<string, string> = {};
    names.forEach((name, i) => {
      params[name] = decodeURIComponent(match[i + 1] ?? "");
    });
    return { route, params };
  }
  return undefined;
}
