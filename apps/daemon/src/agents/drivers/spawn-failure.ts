import { CcaError } from "@cca/core";

/** The error for a `claude` process that could not be started: missing, or refused by the OS. */
export function spawnFailure(claudePath: string, error: NodeJS.ErrnoException): CcaError {
  return error.code === "ENOENT"
    ? new CcaError(
        "claude_not_found",
        `Claude Code executable "${claudePath}" was not found. Install it (npm install -g @anthropic-ai/claude-code) or set agents.claude_path in cca.toml (or CCA__AGENTS__CLAUDE_PATH) to its path.`,
        { cause: error, details: { path: claudePath } },
      )
    : new CcaError("agent_spawn_failed", `Could not start Claude Code (${claudePath}): ${error.message}`, {
        cause: error,
        details: { path: claudePath },
      });
}
