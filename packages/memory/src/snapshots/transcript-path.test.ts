import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { replyText } from "@cca/mock-anthropic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClaudeOnMock, startClaudeOnMock } from "../../test/support/claude.js";
import { claudeProjectFolder, transcriptPath } from "./transcript-path.js";

describe("claudeProjectFolder", () => {
  it("replaces every character but ASCII letters and digits with a dash, one per UTF-16 unit", () => {
    expect(claudeProjectFolder("/work/my.app")).toBe("-work-my-app");
    expect(claudeProjectFolder("/tmp/x/my.dir_x y/Ünï~@+=,/c🙂d")).toBe("-tmp-x-my-dir-x-y--n-------c--d");
  });

  it("cuts a name past 200 characters and adds the hash Claude Code adds", () => {
    // Observed with Claude Code 2.1.197 in this very folder.
    const cwd = `/tmp/probe-cwd-OBoYI2/${"a".repeat(120)}/${"b".repeat(120)}/c🙂d`;
    expect(claudeProjectFolder(cwd)).toBe(
      `-tmp-probe-cwd-OBoYI2-${"a".repeat(120)}-${"b".repeat(57)}-3rmnek`,
    );
  });
});

describe("transcriptPath with the real Claude Code", () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "cca-transcript-path-")));
  const folders = [join(root, "my.app_v2 (copy)", "Ünï"), join(root, "a".repeat(150), "b".repeat(100))];
  let claude: ClaudeOnMock;
  beforeAll(async () => {
    for (const folder of folders) mkdirSync(folder, { recursive: true });
    claude = await startClaudeOnMock(folders);
    claude.mock.on({ when: () => true, reply: replyText("noted") });
  });
  afterAll(async () => {
    await claude.close();
    rmSync(root, { recursive: true, force: true });
  });

  it.each(folders.map((cwd, index) => [["dots, spaces and non-ASCII", "a long path"][index], cwd]))(
    "is where Claude Code writes a session's transcript (%s)",
    async (_, cwd) => {
      const sessionId = randomUUID();
      const path = transcriptPath({ claudeConfigDir: claude.claudeConfigDir, cwd: cwd!, sessionId });
      expect(existsSync(path)).toBe(false);

      await claude.run(["-p", "remember this", "--session-id", sessionId], cwd!);

      expect(existsSync(path)).toBe(true);
    },
    30_000,
  );
});
