/**
 * Headers every API response carries (both Workers; applied by `requestContext`). The API answers JSON and SSE,
 * never a page to render, so nothing it sends may be sniffed into HTML, framed, or run as a document: a
 * `default-src 'none'` policy costs nothing and makes a reflected value inert even if a browser renders it.
 * A route that serves a page (`/api/docs`) sets its own Content-Security-Policy, which is kept.
 */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Content-Security-Policy":
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  // API URLs carry thread ids; no page of ours needs them sent onwards.
  "Referrer-Policy": "no-referrer",
};

/**
 * Sets the security headers on a response's (mutable) headers. A response to a request with credentials, and a
 * refusal of one (401), is `Cache-Control: no-store`: it is one user's data, so no shared or browser cache may
 * keep it for the next person at the same machine or proxy.
 */
export function applySecurityHeaders(
  headers: Headers,
  request: { authorization?: string; status: number },
): void {
  for (const [name, value] of Object.entries(API_SECURITY_HEADERS)) {
    if (!headers.has(name)) headers.set(name, value);
  }
  if (request.authorization !== undefined || request.status === 401 || request.status === 403) {
    headers.set("Cache-Control", "no-store");
  }
}
