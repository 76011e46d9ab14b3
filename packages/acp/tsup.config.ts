import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", "ws/index": "src/ws/index.ts" },
  format: ["esm"],
  target: "node20",
  dts: true,
  sourcemap: true,
  clean: true,
});
