import { defineConfig } from "tsup";

export default defineConfig({
  // `redis` and `bullmq` are the `@cca/core/redis` and `@cca/core/bullmq` subpaths:
  // ioredis, BullMQ and pg stay out of the main entry.
  entry: { index: "src/index.ts", redis: "src/redis/index.ts", bullmq: "src/bullmq/index.ts" },
  format: ["esm"],
  target: "node20",
  dts: true,
  sourcemap: true,
  clean: true,
});
