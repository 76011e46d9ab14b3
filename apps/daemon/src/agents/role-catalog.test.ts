import { parseConfig } from "@cca/core";
import { describe, expect, it } from "vitest";
import { headlessLaunchArgs } from "./launch-args.js";
import { builtinToolsOf, DEFAULT_TOOLS, RoleCatalog } from "./role-catalog.js";

const agents = parseConfig({
  agents: {
    roles: {
      backend: { allowed_tools: ["Read", "Bash(git *)", "WebFetch", "mcp__cca__cca_send"] },
      coordinator: { allowed_tools: ["Read", "Glob", "Grep"] },
      researcher: { allowed_tools: ["Read"], tools: ["Read", "WebFetch", "WebSearch"] },
    },
  },
}).agents;

const launch = (catalog: RoleCatalog, role: string) =>
  headlessLaunchArgs({
    profile: catalog.profile(role),
    sessionId: "s",
    resume: false,
    skipPermissions: false,
  });

describe("a role's built-in tools", () => {
  it("are the tools its allowed list names, without patterns or MCP tools", () => {
    expect(builtinToolsOf(["Read", "Bash(git *)", "Bash(pnpm test)", "mcp__cca__cca_send", "Edit"])).toEqual([
      "Read",
      "Bash",
      "Edit",
    ]);
  });

  it("go to Claude Code as --tools with minimal tools on: the working set and what the allowed list adds, or the role's own list", () => {
    const minimal = new RoleCatalog(agents, { minimalTools: true });
    expect(minimal.profile("backend").tools).toEqual([...DEFAULT_TOOLS, "WebFetch"]);
    // A tool the role has but may not use alone (Bash, here) still asks a person.
    expect(minimal.profile("coordinator").tools).toEqual(DEFAULT_TOOLS);
    expect(minimal.profile("researcher").tools).toEqual(["Read", "WebFetch", "WebSearch"]);
    const args = launch(minimal, "backend");
    expect(args[args.indexOf("--tools") + 1]).toBe([...DEFAULT_TOOLS, "WebFetch"].join(","));
  });

  it("are all of Claude Code's with minimal tools off", () => {
    const full = new RoleCatalog(agents);
    expect(full.profile("backend").tools).toBeNull();
    expect(launch(full, "backend")).not.toContain("--tools");
  });

  it("refuses a tools entry that is not a tool's name, saying what is expected", () => {
    expect(() => parseConfig({ agents: { roles: { qa: { tools: ["Bash(git *)"] } } } })).toThrow(
      /a built-in tool's name, e.g. Read or WebFetch/,
    );
  });
});
