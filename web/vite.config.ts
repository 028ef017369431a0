import { defineConfig } from "vite";
import solid from "vite-plugin-solid";

// In dev the SPA and the API share one origin: Vite forwards /api to the local wrangler dev, and /dev-auth to
// the dev issuer (a Node process of `npm run dev`; production builds talk to Clerk instead).
export default defineConfig({
  root: import.meta.dirname,
  plugins: [solid()],
  server: {
    proxy: {
      "/api": { target: process.env.GROWQR_API_URL ?? "http://127.0.0.1:8787", changeOrigin: true, ws: true },
      "/dev-auth": {
        target: process.env.GROWQR_DEV_ISSUER_URL ?? "http://127.0.0.1:8790",
        rewrite: (path) => path.replace(/^\/dev-auth/, ""),
      },
    },
  },
  build: { outDir: "dist", emptyOutDir: true },
});
