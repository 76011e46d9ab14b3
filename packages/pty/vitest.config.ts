import { definePackageTestConfig } from "../../vitest.shared.ts";

export default definePackageTestConfig();
