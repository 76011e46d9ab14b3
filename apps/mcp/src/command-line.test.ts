import { describe, expect, it } from "vitest";
import { parseCommandLine, UsageError } from "./command-line.js";

describe("parseCommandLine", () => {
  it("serves with a 600 s wait limit, warn logging and the current folder as the project by default", () => {
    expect(parseCommandLine([], {}, "/home/ada/shop")).toEqual({
      kind: "serve",
      waitLimitS: 600,
      logLevel: "warn",
      projectDir: "/home/ada/shop",
    });
  });

  it("reads the wait limit and log level from the environment", () => {
    expect(parseCommandLine([], { CCA_MCP_WAIT_S: "90", CCA_MCP_LOG_LEVEL: "debug" }, "/p")).toEqual({
      kind: "serve",
      waitLimitS: 90,
      logLevel: "debug",
      projectDir: "/p",
    });
  });

  it("takes the project folder from CLAUDE_PROJECT_DIR when it is set, made absolute", () => {
    const project = (env: Record<string, string>) =>
      (parseCommandLine([], env, "/home/ada") as { projectDir: string }).projectDir;
    expect(project({ CLAUDE_PROJECT_DIR: "/home/ada/shop" })).toBe("/home/ada/shop");
    expect(project({ CLAUDE_PROJECT_DIR: "shop/" })).toBe("/home/ada/shop");
    expect(project({ CLAUDE_PROJECT_DIR: "  " })).toBe("/home/ada");
  });

  it("uses the process's working folder when given no folder", () => {
    expect(parseCommandLine([], {})).toMatchObject({ kind: "serve", projectDir: process.cwd() });
  });

  it.each([
    [["--help"], "help"],
    [["-h"], "help"],
    [["--version"], "version"],
  ])("recognises %j", (argv, kind) => {
    expect(parseCommandLine(argv, {}).kind).toBe(kind);
  });

  it("refuses an unknown option and points at --help", () => {
    expect(() => parseCommandLine(["--agnet"], {})).toThrow(UsageError);
    expect(() => parseCommandLine(["--agnet"], {})).toThrow(/Unknown option '--agnet'.*cca-mcp --help/);
  });

  it("serves an agent's bridge with --agent <id>, and needs the id", () => {
    expect(parseCommandLine(["--agent", "backend_1"], {})).toEqual({
      kind: "bridge",
      agentId: "backend_1",
      logLevel: "warn",
    });
    expect(() => parseCommandLine(["--agent"], {})).toThrow(UsageError);
    expect(() => parseCommandLine(["--agent", " "], {})).toThrow(/--agent needs the agent's id/);
  });

  it("refuses a wait limit that is not a positive number, naming the value", () => {
    expect(() => parseCommandLine([], { CCA_MCP_WAIT_S: "ten" })).toThrow(
      'CCA_MCP_WAIT_S must be a number of seconds, e.g. 600 (got CCA_MCP_WAIT_S="ten").',
    );
    expect(() => parseCommandLine([], { CCA_MCP_WAIT_S: "0" })).toThrow(/more than 0 seconds/);
  });
});
