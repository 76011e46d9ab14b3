import { mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { claudeTestEnv, createMockAnthropic, type MockAnthropic, runClaude } from "@cca/mock-anthropic";

/** The pinned Claude Code against a fresh mock of the Messages API, in a private HOME. */
export interface ClaudeOnMock {
  mock: MockAnthropic;
  home: string;
  claudeConfigDir: string;
  env: Record<string, string>;
  /** Runs `claude <args>` in `cwd` to its end; rejects with its stderr when it exits non-zero. */
  run(args: string[], cwd: string): Promise<string>;
  /** Stops the mock and deletes HOME. */
  close(): Promise<void>;
}

/**
 * Starts the mock and prepares an environment for the real Claude Code (`@cca/mock-anthropic`).
 * Pass every cwd through `realpath`: Claude Code names project folders after the real path.
 */
export async function startClaudeOnMock(trustedDirectories: string[] = []): Promise<ClaudeOnMock> {
  const mock = await createMockAnthropic();
  const home = await realpath(await mkdtemp(join(tmpdir(), "cca-memory-claude-home-")));
  const env = claudeTestEnv({ mockUrl: mock.url, home, trustedDirectories });
  const claudeConfigDir = env.CLAUDE_CONFIG_DIR ?? join(home, ".claude");
  return {
    mock,
    home,
    claudeConfigDir,
    env,
    run: async (args, cwd) => {
      const run = await runClaude(args, { env, cwd });
      if (run.code !== 0)
        throw new Error(`claude ${args.join(" ")} exited ${run.code}: ${run.stderr}${run.stdout}`);
      return run.stdout;
    },
    close: async () => {
      await mock.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}
