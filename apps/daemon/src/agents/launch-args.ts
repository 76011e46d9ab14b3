import type { RoleProfile } from "./role-catalog.js";

export interface LaunchOptions {
  profile: RoleProfile;
  sessionId: string;
  /** Continue an earlier conversation instead of starting `sessionId` afresh. */
  resume: boolean;
  skipPermissions: boolean;
  /** The only MCP servers the agent gets (CCA's bridge), and the tools of theirs it may use. */
  mcp?: AgentMcp;
}

/**
 * The MCP servers CCA gives one agent process: a config file (`--mcp-config <path>`; it
 * holds the bridge's credential, so it is never passed inline, where any local user could
 * read it in `/proc/<pid>/cmdline`) and the tools of theirs the agent may use.
 */
export interface AgentMcp {
  configPath: string;
  allowedTools: string[];
  /** The MCP tool Claude Code asks about tool uses the role does not pre-allow (`--permission-prompt-tool`). */
  permissionPromptTool?: string;
  /** Called once the agent's process is gone: ends its credential and removes the file. Idempotent. */
  release(): void;
}

/**
 * The `claude` arguments for a headless agent: stream-json both ways, then the
 * conversation's arguments, and permission questions sent to CCA's approval tool. With
 * `noSkills`, no skills or slash commands where it has the Skill tool: nobody types `/`
 * into it, and their listing goes with every request. Without that tool there is no
 * listing, and `/compact` stays available to the daemon.
 */
export function headlessLaunchArgs(options: LaunchOptions & { noSkills?: boolean }): string[] {
  const args = [
    "-p",
    "--input-format",
    "stream-json",
    "--output-format",
    "stream-json",
    "--verbose",
    ...conversationArgs(options),
  ];
  // Only where the Skill tool lists them: slash commands stay for /compact otherwise.
  if (options.noSkills && hasSkillTool(options.profile)) args.push("--disable-slash-commands");
  if (options.skipPermissions) args.push("--permission-mode", "bypassPermissions");
  else if (options.mcp?.permissionPromptTool)
    args.push("--permission-prompt-tool", options.mcp.permissionPromptTool);
  return args;
}

/** True when the agent has Claude Code's Skill tool: all its tools, or a list that names it. */
export function hasSkillTool(profile: RoleProfile): boolean {
  return profile.tools === null || profile.tools.includes("Skill");
}

/**
 * The `claude` arguments for an interactive agent (the TUI): the conversation's arguments
 * and the hooks in `settings` (see hookSettings), through which it reports turn ends and
 * asks permission questions.
 */
export function interactiveLaunchArgs(options: LaunchOptions & { settings: string }): string[] {
  const args = [...conversationArgs(options), "--settings", options.settings];
  if (options.skipPermissions) args.push("--permission-mode", "bypassPermissions");
  return args;
}

/**
 * What both drivers pass: the session, the role's instructions appended to the system
 * prompt, its built-in tools (with minimal tools) and the ones it may use unasked, and no
 * MCP servers but the ones CCA gives it (so a user's own plugins, CCA's included, stay out
 * of agents).
 */
function conversationArgs(options: LaunchOptions): string[] {
  const { profile } = options;
  const args = [
    ...(options.resume ? ["--resume", options.sessionId] : ["--session-id", options.sessionId]),
    "--append-system-prompt",
    profile.instructions,
    "--mcp-config",
    options.mcp?.configPath ?? JSON.stringify({ mcpServers: {} }),
    "--strict-mcp-config",
  ];
  // Only the role's built-in tools: their definitions are most of every request.
  if (profile.tools) args.push("--tools", profile.tools.join(","));
  const allowedTools = [...profile.allowedTools, ...(options.mcp?.allowedTools ?? [])];
  if (allowedTools.length > 0) args.push("--allowedTools", allowedTools.join(","));
  if (profile.model) args.push("--model", profile.model);
  return args;
}

/** Variables that would make Claude Code think it runs inside another Claude Code session. */
const PARENT_SESSION_VARIABLES = ["CLAUDECODE", "CLAUDE_CODE_ENTRYPOINT", "CLAUDE_CODE_SSE_PORT"];

/**
 * CCA credentials in the daemon's environment, which agents do not inherit: an agent's
 * bridge gets its own credential from its MCP config, and the daemon's access token is
 * not the agents' to hold (`[agents.env]` may still set one on purpose).
 */
const CREDENTIAL_VARIABLES = ["CCA_TOKEN", "CCA_AGENT_TOKEN"];

/**
 * The agent's environment: the daemon's own without CCA credentials, plus `[agents.env]`,
 * minus parent-session markers.
 */
export function agentEnvironment(base: NodeJS.ProcessEnv, extra: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = { ...base };
  for (const name of CREDENTIAL_VARIABLES) delete inherited[name];
  const env = { ...inherited, ...extra };
  for (const name of PARENT_SESSION_VARIABLES) delete env[name];
  return env;
}
