import { parseConfig } from "@cca/core";
import { describe, expect, it } from "vitest";
import { headlessLaunchArgs, interactiveLaunchArgs } from "./launch-args.js";
import { RoleCatalog } from "./role-catalog.js";

const profile = new RoleCatalog(parseConfig({}).agents).profile("backend");
const conversation = { profile, sessionId: "s", resume: false, skipPermissions: false };

describe("an agent's claude arguments", () => {
  it("turn skills and slash commands off for a headless agent with no_skills and the Skill tool, and only then", () => {
    expect(profile.tools).toBeNull(); // all of Claude Code's tools, Skill among them
    expect(headlessLaunchArgs({ ...conversation, noSkills: true })).toContain("--disable-slash-commands");
    expect(headlessLaunchArgs({ ...conversation, noSkills: false })).not.toContain(
      "--disable-slash-commands",
    );
    const withSkill = { ...conversation, profile: { ...profile, tools: ["Read", "Skill"] } };
    expect(headlessLaunchArgs({ ...withSkill, noSkills: true })).toContain("--disable-slash-commands");
    // No Skill tool, no listing to save: slash commands stay, for /compact.
    const minimal = { ...conversation, profile: { ...profile, tools: ["Read", "Edit", "Bash"] } };
    expect(headlessLaunchArgs({ ...minimal, noSkills: true })).not.toContain("--disable-slash-commands");
  });

  it("keep them in the TUI, where a person may type a slash command", () => {
    expect(interactiveLaunchArgs({ ...conversation, settings: "{}" })).not.toContain(
      "--disable-slash-commands",
    );
  });
});
