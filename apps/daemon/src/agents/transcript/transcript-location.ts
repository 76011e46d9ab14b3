import { realpathSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { transcriptPath } from "@cca/memory";

/**
 * The Claude Code config folder agents use: `$CLAUDE_CONFIG_DIR` of their environment (see
 * `agentEnvironment`), else `~/.claude` under that environment's `HOME`.
 */
export function claudeConfigDirOf(agentEnv: NodeJS.ProcessEnv): string {
  return agentEnv.CLAUDE_CONFIG_DIR ?? join(agentEnv.HOME ?? homedir(), ".claude");
}

/**
 * Where Claude Code keeps the transcript of session `sessionId` it runs in `cwd`:
 * `<claudeConfigDir>/projects/<cwd, every character but letters and digits as ->/<sessionId>.jsonl`,
 * with `cwd` as the real path Claude Code sees (symlinks resolved; a folder that is gone keeps
 * its recorded name).
 * @example
 * agentTranscriptPath({ claudeConfigDir: "/home/me/.claude", cwd: "/work/app", sessionId: "5f1c…" })
 * // "/home/me/.claude/projects/-work-app/5f1c….jsonl"
 */
export function agentTranscriptPath(options: {
  claudeConfigDir: string;
  cwd: string;
  sessionId: string;
}): string {
  let cwd = options.cwd;
  try {
    cwd = realpathSync(cwd);
  } catch {
    // A folder that is gone keeps its recorded name.
  }
  return transcriptPath({ claudeConfigDir: options.claudeConfigDir, cwd, sessionId: options.sessionId });
}
