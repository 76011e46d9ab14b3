import { definePackageTestConfig } from "../../vitest.shared.ts";

// Tests in test/ run the real Claude Code CLI (a second or two each, more on a loaded machine).
export default definePackageTestConfig({ testTimeout: 30_000 });
