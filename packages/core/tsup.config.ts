import { defineConfig } from "tsup";

export default defineConfig({
  // `redis` is the `@cca/core/redis` subpath: ioredis stays out of the main entry.
  entry: { index: "src/index.ts", redis: "src/redis/index.ts" },
  format: ["esm"],
  target: "node20",
  dts: true,
  sourcemap: true,
  clean: true,
});
