/** The bridge tools each role gets: the Coordinator delegates, specialists talk to each other. */
export function bridgeToolsFor(role: string): string[] {
  return role === "coordinator" ? ["cca_delegate"] : ["cca_send", "cca_broadcast"];
}

/** The MCP server name the daemon gives every agent's bridge; tools appear as `mcp__cca__<tool>`. */
export const BRIDGE_SERVER_NAME = "cca";

/** `--allowedTools` entries for a role's bridge tools. */
export function allowedBridgeTools(role: string): string[] {
  return bridgeToolsFor(role).map((tool) => `mcp__${BRIDGE_SERVER_NAME}__${tool}`);
}
