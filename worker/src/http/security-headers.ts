/**
 * The one HTML page the Worker serves, `/api/docs` (Scalar's API reference), loads Scalar's script from
 * jsDelivr. Pinned to one version and file with Subresource Integrity, so the CDN (or anyone in its path) cannot
 * change what runs on our origin, and the page's CSP lets nothing else run.
 *
 * The hash is sha384 of `dist/browser/standalone.js` in the npm package `@scalar/api-reference@1.46.4` (the
 * version matching `@scalar/hono-api-reference` 0.9.48's `@scalar/types`; jsDelivr serves npm files byte for
 * byte). To move to another version: `npm pack @scalar/api-reference@X`, then
 * `openssl dgst -sha384 -binary package/dist/browser/standalone.js | openssl base64 -A`.
 */
export const SCALAR_SCRIPT = {
  url: "https://cdn.jsdelivr.net/npm/@scalar/api-reference@1.46.4/dist/browser/standalone.js",
  integrity: "sha384-BbTs28WithFYxTDCiH0YPK5tv3MflhBVpABoMjfb9UqXa/hegSE9I4THoddKejMF",
} as const;

/**
 * The docs page's policy: Scalar's pinned script and the page's own inline start-up script (by nonce); styles
 * inline (Scalar injects them at run time); requests only to our origin (the OpenAPI document and "try it").
 */
export const docsPageCsp = (nonce: string) =>
  [
    "default-src 'none'",
    `script-src 'nonce-${nonce}' ${SCALAR_SCRIPT.url}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");

/**
 * Scalar's page with integrity on its CDN script and a nonce on every script. Throws if the page loads any other
 * third-party script (a Scalar upgrade that changed its markup must be looked at, not served unpinned).
 */
export function withPinnedScripts(html: string, nonce: string): string {
  const pinned = html.replaceAll(
    `<script src="${SCALAR_SCRIPT.url}">`,
    `<script src="${SCALAR_SCRIPT.url}" integrity="${SCALAR_SCRIPT.integrity}" crossorigin="anonymous" nonce="${nonce}">`,
  );
  const withNonce = pinned.replace(/<script(?![^>]*\bnonce=)/g, `<script nonce="${nonce}"`);
  for (const tag of withNonce.match(/<script\b[^>]*>/g) ?? []) {
    if (/\bsrc=/.test(tag) && !tag.includes(`integrity="${SCALAR_SCRIPT.integrity}"`)) {
      throw new Error(`Unpinned script on the docs page: ${tag}`);
    }
  }
  return withNonce;
}
