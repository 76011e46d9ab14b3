import { describe, expect, it } from "vitest";
import { parseCommandLine, UsageError } from "./command-line.js";

describe("parseCommandLine", () => {
  it("serves with a 600 s wait limit and warn logging by default", () => {
    expect(parseCommandLine([], {})).toEqual({ kind: "serve", waitLimitS: 600, logLevel: "warn" });
  });

  it("reads the wait limit and log level from the environment", () => {
    expect(parseCommandLine([], { CCA_MCP_WAIT_S: "90", CCA_MCP_LOG_LEVEL: "debug" })).toEqual({
      kind: "serve",
      waitLimitS: 90,
      logLevel: "debug",
    });
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
