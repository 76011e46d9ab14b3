import { accessSync, constants, statSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveClaudeBinary } from "./claude-binary.ts";
import { claudeTestEnv, TEST_API_KEY } from "./claude-env.ts";

let home: string;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "cca-claude-env-"));
});

afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

async function readConfig() {
  return JSON.parse(await readFile(join(home, ".claude", ".claude.json"), "utf8"));
}

describe("claudeTestEnv", () => {
  it("points Claude Code at the mock with a private home and quiet settings", () => {
    const env = claudeTestEnv({ mockUrl: "http://127.0.0.1:1234", home });

    expect(env).toEqual({
      HOME: home,
      CLAUDE_CONFIG_DIR: join(home, ".claude"),
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DISABLE_AUTOUPDATER: "1",
      DISABLE_TELEMETRY: "1",
      DISABLE_ERROR_REPORTING: "1",
      CLAUDE_CODE_MAX_RETRIES: "1",
      ENABLE_TOOL_SEARCH: "false",
      ANTHROPIC_BASE_URL: "http://127.0.0.1:1234",
      ANTHROPIC_API_KEY: TEST_API_KEY,
      PATH: process.env.PATH,
    });
    expect(env).not.toHaveProperty("ANTHROPIC_AUTH_TOKEN");
  });

  it("lets extra variables override the defaults", () => {
    const env = claudeTestEnv({
      mockUrl: "http://x",
      home,
      extra: { CLAUDE_CODE_MAX_RETRIES: "3", FOO: "bar" },
    });

    expect(env).toMatchObject({ CLAUDE_CODE_MAX_RETRIES: "3", FOO: "bar" });
  });

  it("writes a config that skips onboarding, approves the key and trusts the given directories", async () => {
    claudeTestEnv({ mockUrl: "http://x", home, trustedDirectories: ["/work/project"] });

    expect(await readConfig()).toEqual({
      hasCompletedOnboarding: true,
      customApiKeyResponses: { approved: [TEST_API_KEY.slice(-20)], rejected: [] },
      projects: { "/work/project": { hasTrustDialogAccepted: true } },
    });
  });

  it("keeps what Claude Code already wrote in the config", async () => {
    claudeTestEnv({ mockUrl: "http://x", home });
    const existing = { ...(await readConfig()), userID: "abc", projects: { "/a": { lastCost: 1 } } };
    await writeFile(join(home, ".claude", ".claude.json"), JSON.stringify(existing));

    claudeTestEnv({ mockUrl: "http://x", home, trustedDirectories: ["/a"] });

    expect(await readConfig()).toMatchObject({
      userID: "abc",
      hasCompletedOnboarding: true,
      projects: { "/a": { lastCost: 1, hasTrustDialogAccepted: true } },
    });
  });
});

describe("resolveClaudeBinary", () => {
  it("finds the pinned native CLI as an absolute executable path", () => {
    const path = resolveClaudeBinary();

    expect(isAbsolute(path)).toBe(true);
    expect(statSync(path).size).toBeGreaterThan(1_000_000);
    expect(() => accessSync(path, constants.X_OK)).not.toThrow();
  });
});
