import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { agentTranscriptPath, claudeConfigDirOf } from "./transcript-location.js";

describe("claudeConfigDirOf", () => {
  it("is the agents' CLAUDE_CONFIG_DIR when they have one", () => {
    expect(claudeConfigDirOf({ CLAUDE_CONFIG_DIR: "/etc/claude", HOME: "/home/me" })).toBe("/etc/claude");
  });

  it("is .claude in the agents' HOME otherwise", () => {
    expect(claudeConfigDirOf({ HOME: "/home/me" })).toBe("/home/me/.claude");
  });
});

describe("agentTranscriptPath", () => {
  it("names the folder after the real path of a working directory reached through a symlink", () => {
    const root = mkdtempSync(join(tmpdir(), "cca-transcript-location-"));
    try {
      mkdirSync(join(root, "real.dir"));
      symlinkSync(join(root, "real.dir"), join(root, "link"));
      const folder = realpathSync(join(root, "real.dir")).replace(/[^a-zA-Z0-9]/g, "-");

      expect(agentTranscriptPath({ claudeConfigDir: "/c", cwd: join(root, "link"), sessionId: "s1" })).toBe(
        `/c/projects/${folder}/s1.jsonl`,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("keeps the recorded name of a working directory that is gone", () => {
    expect(agentTranscriptPath({ claudeConfigDir: "/c", cwd: "/gone/my.app", sessionId: "s1" })).toBe(
      "/c/projects/-gone-my-app/s1.jsonl",
    );
  });
});
