import { defineConfig } from "tsup";

export default defineConfig([
  {
    // The package: library entry with types, and the program `bin/cca-mcp.js` imports.
    entry: ["src/index.ts", "src/main.ts"],
    format: ["esm"],
    target: "node20",
    platform: "node",
    dts: { entry: "src/index.ts" },
    sourcemap: true,
    clean: true,
  },
  {
    // The plugin's server: one self-contained file, because `claude plugin install` copies only
    // the plugin folder (no node_modules). Some bundled dependencies are CommonJS and call
    // `require` for Node built-ins, hence the createRequire banner.
    entry: { "cca-mcp": "src/main.ts" },
    outDir: "../../plugin/server",
    format: ["esm"],
    target: "node20",
    platform: "node",
    noExternal: [/.*/],
    outExtension: () => ({ js: ".mjs" }),
    banner: {
      js: [
        "#!/usr/bin/env node",
        'import { createRequire as __ccaCreateRequire } from "node:module";',
        "const require = __ccaCreateRequire(import.meta.url);",
      ].join("\n"),
    },
    splitting: false,
    sourcemap: false,
    esbuildOptions(options) {
      // @cca/core's dist keeps a bare `import "zod"` (a type-only import); zod is side-effect free.
      options.logOverride = { "ignored-bare-import": "silent" };
    },
    clean: true,
  },
]);
