import { fileURLToPath } from "node:url";

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/** Built entry points of the apps, as a user runs them. */
export const CCAD_BIN = root("apps/daemon/bin/ccad.js");
export const CCA_MCP_BIN = root("apps/mcp/bin/cca-mcp.js");
export const CCA_CLI_BIN = root("apps/cli/bin/cca.js");
export const COORDINATOR_INSTRUCTIONS = root("agents/coordinator.md");
export const REPO_ROOT = root("");
