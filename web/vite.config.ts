import { defineConfig, loadEnv } from "vite";
import solid from "vite-plugin-solid";
import { pagesHeadersPlugin, spaHeaders } from "./vite.config.headers";

// In dev the SPA and the API share one origin: Vite forwards /api to the local wrangler dev, and /dev-auth to
// the dev issuer (a Node process of `npm run dev`; production builds talk to Clerk instead).
export default defineConfig(({ mode }) => {
  const env = loadEnv(mode, import.meta.dirname, "VITE_");
  const headerOptions = {
    apiOrigin: env.VITE_API_ORIGIN || undefined,
    clerkPublishableKey: env.VITE_CLERK_PUBLISHABLE_KEY || undefined,
  };
  // The same security headers in dev, preview and (through `_headers`) on Pages, so the tests see the real policy.
  const headers = spaHeaders(headerOptions);
  return {
    root: import.meta.dirname,
    plugins: [solid(), pagesHeadersPlugin(headerOptions)],
    server: {
      headers,
      proxy: {
        "/api": {
          target: process.env.GROWQR_API_URL ?? "http://127.0.0.1:8787",
          changeOrigin: true,
          ws: true,
        },
        "/dev-auth": {
          target: process.env.GROWQR_DEV_ISSUER_URL ?? "http://127.0.0.1:8790",
          rewrite: (path: string) => path.replace(/^\/dev-auth/, ""),
        },
      },
    },
    preview: { headers },
    build: { outDir: "dist", emptyOutDir: true },
  };
});
