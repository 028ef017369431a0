/**
 * Where the API lives. Empty (the default) means the SPA's own origin, as in dev (Vite proxies /api) or when the
 * Worker serves both; set `VITE_API_ORIGIN=https://api.example.com` at build time for a separate API host (the
 * host's CORS_ORIGINS and AUTHORIZED_PARTIES must then list the SPA's origin).
 */
export const API_ORIGIN = ((import.meta.env.VITE_API_ORIGIN as string | undefined) ?? "").replace(/\/$/, "");

export const apiUrl = (path: string) => `${API_ORIGIN}/api${path}`;
