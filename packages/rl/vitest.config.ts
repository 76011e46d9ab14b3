import { definePackageTestConfig } from "../../vitest.shared.ts";

export default definePackageTestConfig({ testTimeout: 60_000 });
