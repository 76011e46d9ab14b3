import { definePackageTestConfig } from "../../vitest.shared.ts";

// Each test daemon opens its own PGlite (about 2 s on a busy 2-core machine) and spawns agents.
export default definePackageTestConfig({ testTimeout: 30_000 });
