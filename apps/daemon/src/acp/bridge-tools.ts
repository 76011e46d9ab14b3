/**
 * The bridge tool Claude Code asks before a tool use the role does not pre-allow
 * (`--permission-prompt-tool mcp__cca__cca_permission_prompt`); every role's bridge serves it.
 * It is Claude Code's to call, not the model's, so it is never in `--allowedTools`.
 */
export const PERMISSION_PROMPT_TOOL = "cca_permission_prompt";

/** The tools the model may call on each role's bridge: the Coordinator delegates, specialists talk to each other. */
function modelToolsFor(role: string): string[] {
  return role === "coordinator" ? ["cca_delegate"] : ["cca_send", "cca_broadcast"];
}

/** The bridge tools each role gets: its model's tools and the permission prompt tool. */
export function bridgeToolsFor(role: string): string[] {
  return [...modelToolsFor(role), PERMISSION_PROMPT_TOOL];
}

/** The MCP server name the daemon gives every agent's bridge; tools appear as `mcp__cca__<tool>`. */
export const BRIDGE_SERVER_NAME = "cca";

/** `--allowedTools` entries for a role's bridge tools (not the permission prompt tool). */
export function allowedBridgeTools(role: string): string[] {
  return modelToolsFor(role).map((tool) => `mcp__${BRIDGE_SERVER_NAME}__${tool}`);
}

/** `--permission-prompt-tool`: the bridge tool that turns permission questions into approvals. */
export const PERMISSION_PROMPT_TOOL_NAME = `mcp__${BRIDGE_SERVER_NAME}__${PERMISSION_PROMPT_TOOL}`;
