import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Claude Code's transcript of a session, found under `$CLAUDE_CONFIG_DIR/projects/*`, or "" if none yet. */
export function readTranscript(claudeConfigDir: string, sessionId: string): string {
  const projects = join(claudeConfigDir, "projects");
  if (!existsSync(projects)) return "";
  for (const project of readdirSync(projects)) {
    const path = join(projects, project, `${sessionId}.jsonl`);
    if (existsSync(path)) return readFileSync(path, "utf8");
  }
  return "";
}

/** Polls until Claude Code's transcript of `sessionId` contains `text` (it writes asynchronously). */
export async function waitForTranscript(
  claudeConfigDir: string,
  sessionId: string,
  text: string,
): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!readTranscript(claudeConfigDir, sessionId).includes(text)) {
    if (Date.now() > deadline)
      throw new Error(`transcript of ${sessionId} never contained ${JSON.stringify(text)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
