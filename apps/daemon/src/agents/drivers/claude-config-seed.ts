import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

/** How many trailing characters of an API key Claude Code records as approved. */
const API_KEY_SUFFIX_LENGTH = 20;

/**
 * Where Claude Code keeps its global state for this environment: `$CLAUDE_CONFIG_DIR/.claude.json`,
 * else `~/.claude.json` (beside `~/.claude`, not in it).
 */
export function claudeStatePath(env: NodeJS.ProcessEnv): string {
  if (env.CLAUDE_CONFIG_DIR) return join(env.CLAUDE_CONFIG_DIR, ".claude.json");
  return join(env.HOME || homedir(), ".claude.json");
}

let writes: Promise<void> = Promise.resolve();

/**
 * Marks what the TUI would otherwise stop to ask about as settled: onboarding done, the
 * folder `cwd` trusted, the API key in `env` (if any) approved, and (with
 * `bypassPermissions`) the bypass-mode warning accepted. Merges into what Claude Code
 * keeps there, writes atomically, and serializes this daemon's own writes.
 */
export function seedClaudeConfig(options: {
  env: NodeJS.ProcessEnv;
  cwd: string;
  bypassPermissions: boolean;
}): Promise<void> {
  const write = writes.then(() => mergeInto(claudeStatePath(options.env), options));
  writes = write.catch(() => {});
  return write;
}

async function mergeInto(
  path: string,
  options: { env: NodeJS.ProcessEnv; cwd: string; bypassPermissions: boolean },
): Promise<void> {
  const state = await readState(path);
  const projects = isRecord(state.projects) ? state.projects : {};
  const known = projects[options.cwd];
  const project = isRecord(known) ? known : {};
  projects[options.cwd] = { ...project, hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true };
  const merged: Record<string, unknown> = { ...state, hasCompletedOnboarding: true, projects };
  const apiKey = options.env.ANTHROPIC_API_KEY;
  if (apiKey) {
    const responses = isRecord(state.customApiKeyResponses) ? state.customApiKeyResponses : {};
    const approved = Array.isArray(responses.approved) ? responses.approved.filter(isString) : [];
    const suffix = apiKey.slice(-API_KEY_SUFFIX_LENGTH);
    merged.customApiKeyResponses = {
      ...responses,
      approved: approved.includes(suffix) ? approved : [...approved, suffix],
      rejected: (Array.isArray(responses.rejected) ? responses.rejected.filter(isString) : []).filter(
        (key) => key !== suffix,
      ),
    };
  }
  if (options.bypassPermissions) merged.bypassPermissionsModeAccepted = true;
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.cca-${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(merged, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, path);
}

/** The file's object, or an empty one when it is missing; a file that is not JSON is an error (it is the user's). */
async function readState(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw error;
  }
  if (text.trim() === "") return {};
  const value: unknown = JSON.parse(text);
  if (!isRecord(value)) throw new Error(`${path} does not hold a JSON object`);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isString(value: unknown): value is string {
  return typeof value === "string";
}
