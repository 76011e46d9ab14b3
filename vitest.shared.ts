import { defineConfig } from "vitest/config";

/** One vitest preset for every package: plain output plus a JSON report that .ci/run totals. */
export function definePackageTestConfig(overrides: { testTimeout?: number; include?: string[] } = {}) {
  return defineConfig({
    test: {
      include: overrides.include ?? ["src/**/*.test.ts", "test/**/*.test.ts"],
      testTimeout: overrides.testTimeout ?? 10_000,
      hookTimeout: overrides.testTimeout ?? 10_000,
      reporters: ["default", ["json", { outputFile: "test-results.json" }]],
    },
  });
}
