import { defineConfig } from "vite";
import solid from "vite-plugin-solid";

// In dev the SPA and the API share one origin: Vite forwards /api to the local wrangler dev.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [solid()],
  server: {
    proxy: { "/api": { target: process.env.GROWQR_API_URL ?? "http://127.0.0.1:8787", changeOrigin: true } },
  },
  build: { outDir: "dist", emptyOutDir: true },
});
