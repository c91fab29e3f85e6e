import { defineConfig } from "vite";

// The web inbox is served by the gateway from artifacts/web-inbox (see WebInbox:Path); gRPC-Web calls go to the
// same origin. `npm run web:dev` serves it with a proxy to the local gateway for working on the front end.
export default defineConfig({
  root: import.meta.dirname,
  base: "/",
  build: {
    outDir: "../../artifacts/web-inbox",
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    proxy: {
      "/goldbach.staff.v1.StaffService": "http://127.0.0.1:7080",
      "/staff/v1/media": "http://127.0.0.1:7080",
    },
  },
});
