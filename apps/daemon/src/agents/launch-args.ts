import type { RoleProfile } from "./role-catalog.js";

/** An MCP server as Claude Code's `--mcp-config` describes one. */
export interface McpServerConfig {
  command: string;
  args: string[];
  env?: Record<string, string>;
}

export interface LaunchOptions {
  profile: RoleProfile;
  sessionId: string;
  /** Continue an earlier conversation instead of starting `sessionId` afresh. */
  resume: boolean;
  skipPermissions: boolean;
  /** The only MCP servers the agent gets (CCA's bridge), and the tools of theirs it may use. */
  mcp?: { servers: Record<string, McpServerConfig>; allowedTools: string[] };
}

/**
 * The `claude` arguments for a headless agent: stream-json both ways, the role's
 * instructions appended to the system prompt, explicit tools, and no MCP servers but
 * the ones CCA gives it (so a user's own plugins, CCA's included, stay out of agents).
 */
export function headlessLaunchArgs(options: LaunchOptions): string[] {
  const { profile } = options;
  const args = [
    "-p",
    "--input-format",
    "stream-json",
    "--output-format",
    "stream-json",
    "--verbose",
    ...(options.resume ? ["--resume", options.sessionId] : ["--session-id", options.sessionId]),
    "--append-system-prompt",
    profile.instructions,
    "--mcp-config",
    JSON.stringify({ mcpServers: options.mcp?.servers ?? {} }),
    "--strict-mcp-config",
  ];
  const allowedTools = [...profile.allowedTools, ...(options.mcp?.allowedTools ?? [])];
  if (allowedTools.length > 0) args.push("--allowedTools", allowedTools.join(","));
  if (profile.model) args.push("--model", profile.model);
  if (options.skipPermissions) args.push("--permission-mode", "bypassPermissions");
  return args;
}

/** Variables that would make Claude Code think it runs inside another Claude Code session. */
const PARENT_SESSION_VARIABLES = ["CLAUDECODE", "CLAUDE_CODE_ENTRYPOINT", "CLAUDE_CODE_SSE_PORT"];

/** The agent's environment: the daemon's own, plus `[agents.env]`, minus parent-session markers. */
export function agentEnvironment(base: NodeJS.ProcessEnv, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...base, ...extra };
  for (const name of PARENT_SESSION_VARIABLES) delete env[name];
  return env;
}
