import { join } from "node:path";

// Claude Code 2.1.197 caps a project folder's name at 200 characters and then appends a hash
// of the whole path, so that long paths stay apart.
const MAX_FOLDER_NAME = 200;

/**
 * The folder under `$CLAUDE_CONFIG_DIR/projects/` where Claude Code keeps the sessions started
 * in `cwd`: the path with every character other than an ASCII letter or digit replaced by `-`
 * (so `/work/my.app` becomes `-work-my-app`); past 200 characters, cut there and followed by
 * `-<hash>`. Checked against the pinned Claude Code (2.1.197).
 */
export function claudeProjectFolder(cwd: string): string {
  // Without the `u` flag on purpose: Claude Code replaces each UTF-16 unit, so 🙂 becomes "--".
  const name = cwd.replace(/[^a-zA-Z0-9]/g, "-");
  if (name.length <= MAX_FOLDER_NAME) return name;
  return `${name.slice(0, MAX_FOLDER_NAME)}-${Math.abs(javaStringHash(cwd)).toString(36)}`;
}

/**
 * Where Claude Code keeps the transcript (JSONL) of a session:
 * `<claudeConfigDir>/projects/<claudeProjectFolder(cwd)>/<sessionId>.jsonl`.
 * `claudeConfigDir` is the agent's `$CLAUDE_CONFIG_DIR` (Claude Code's default is `~/.claude`);
 * `cwd` is the directory Claude Code ran in, as the real path it sees (symlinks resolved).
 * @example
 * transcriptPath({ claudeConfigDir: "/home/me/.claude", cwd: "/work/app", sessionId: "5f1c…" })
 * // "/home/me/.claude/projects/-work-app/5f1c….jsonl"
 */
export function transcriptPath(options: { claudeConfigDir: string; cwd: string; sessionId: string }): string {
  return join(
    options.claudeConfigDir,
    "projects",
    claudeProjectFolder(options.cwd),
    `${options.sessionId}.jsonl`,
  );
}

/** Java's `String.hashCode` over UTF-16 units (32-bit), which Claude Code uses for long names. */
function javaStringHash(text: string): number {
  let hash = 0;
  for (let index = 0; index < text.length; index++) hash = (hash * 31 + text.charCodeAt(index)) | 0;
  return hash;
}
