import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The API key the test environment uses; the mock accepts any key. */
export const TEST_API_KEY = "sk-ant-api03-mock-anthropic-test-key-000000000000";

/** Options of {@link claudeTestEnv}. */
export interface ClaudeTestEnvOptions {
  /** The mock's base URL (`mock.url`). */
  mockUrl: string;
  /** A fresh, empty directory to use as HOME (e.g. from `mkdtemp`). */
  home: string;
  /** Directories whose workspace-trust dialog counts as accepted (matters for the interactive TUI). */
  trustedDirectories?: string[];
  /** Extra variables; they override the defaults. */
  extra?: Record<string, string>;
}

const API_KEY_SUFFIX_LENGTH = 20;

function readJsonObject(path: string): Record<string, unknown> {
  if (!existsSync(path)) return {};
  try {
    const value: unknown = JSON.parse(readFileSync(path, "utf8"));
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * Marks onboarding done, the API key approved and the given directories trusted, merging into
 * any config Claude Code already wrote there (it keeps its own state in the same file).
 */
function writeClaudeConfig(configDir: string, apiKey: string, trustedDirectories: string[]): void {
  mkdirSync(configDir, { recursive: true });
  const path = join(configDir, ".claude.json");
  const config = readJsonObject(path);
  const projects = (config.projects ?? {}) as Record<string, Record<string, unknown>>;
  for (const directory of trustedDirectories) {
    projects[directory] = { ...projects[directory], hasTrustDialogAccepted: true };
  }
  const approved = new Set<string>(
    ((config.customApiKeyResponses as { approved?: string[] } | undefined)?.approved ?? []).concat(
      apiKey.slice(-API_KEY_SUFFIX_LENGTH),
    ),
  );
  const merged = {
    ...config,
    hasCompletedOnboarding: true,
    customApiKeyResponses: { approved: [...approved], rejected: [] },
    projects,
  };
  writeFileSync(path, `${JSON.stringify(merged, null, 2)}\n`);
}

/**
 * The environment for running the real Claude Code CLI offline against the mock: a private
 * HOME and config dir, no non-essential traffic, no updater, telemetry or error reports, one
 * retry, MCP tools sent in full, the mock's URL and a test API key (never an auth token), and
 * PATH from this process. Also writes `$CLAUDE_CONFIG_DIR/.claude.json` so the CLI skips
 * onboarding.
 *
 * @example
 * const home = await mkdtemp(join(tmpdir(), "claude-home-"));
 * spawn(resolveClaudeBinary(), ["-p", "hello"], { env: claudeTestEnv({ mockUrl: mock.url, home }) });
 */
export function claudeTestEnv(options: ClaudeTestEnvOptions): Record<string, string> {
  const env: Record<string, string> = {
    HOME: options.home,
    CLAUDE_CONFIG_DIR: join(options.home, ".claude"),
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_AUTOUPDATER: "1",
    DISABLE_TELEMETRY: "1",
    DISABLE_ERROR_REPORTING: "1",
    CLAUDE_CODE_MAX_RETRIES: "1",
    ENABLE_TOOL_SEARCH: "false",
    ANTHROPIC_BASE_URL: options.mockUrl,
    ANTHROPIC_API_KEY: TEST_API_KEY,
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    ...options.extra,
  };
  const configDir = env.CLAUDE_CONFIG_DIR ?? join(options.home, ".claude");
  writeClaudeConfig(configDir, env.ANTHROPIC_API_KEY ?? TEST_API_KEY, options.trustedDirectories ?? []);
  return env;
}
