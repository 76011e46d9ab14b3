import { describe, expect, it } from "vitest";
import packageJson from "../package.json" with { type: "json" };
import { runCca } from "./fixtures/run-cca.ts";

// No daemon runs at this address; a usage error must be reported before anything is sent.
const env = { CCA_HOME: "/nonexistent/cca-home", CCA_DAEMON_URL: "http://127.0.0.1:1" };
const cca = (args: string[]) => runCca(args, { env });

describe("usage errors exit 2 with a message that helps", () => {
  it("an unknown command, with a suggestion", async () => {
    const result = await cca(["tsk", "list"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Usage error: Unknown command. Did you mean task?");
    expect(result.stdout).toBe("");
  });

  it("an unknown command with nothing close to it", async () => {
    const result = await cca(["frobnicate"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Usage error: Unknown command: frobnicate");
  });

  it("no command at all", async () => {
    const result = await cca([]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "Name a command: status, daemon, task, agent, approvals, approve, memory, tokens, rl, project, worktree or db.",
    );
  });

  it("db without its subcommand", async () => {
    const result = await cca(["db"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Name a db command: status or migrate.");
  });

  it("a group without its subcommand", async () => {
    const result = await cca(["daemon"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Name a daemon command: start, stop, status or logs.");
  });

  it("a missing description, showing the command's usage", async () => {
    const result = await cca(["task", "create"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Usage error: Missing argument; usage: cca task create <description..>");
    expect(result.stderr).toContain("--priority");
  });

  it("a blank description", async () => {
    const result = await cca(["task", "create", "  "]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("The description must not be empty.");
  });

  it("a bad priority, listing the choices", async () => {
    const result = await cca(["task", "create", "x", "--priority", "urgent"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Given: "urgent", Choices: "low", "normal", "high", "critical"');
  });

  it("an unknown --by of tokens report, listing the groups", async () => {
    const result = await cca(["tokens", "report", "--by", "agent"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Given: "agent", Choices: "role", "project", "day", "task"');
  });

  it("an unknown option", async () => {
    const result = await cca(["agent", "list", "--colour"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown argument: colour");
  });

  it("a --timeout that is not positive, or given without --wait", async () => {
    expect((await cca(["task", "create", "x", "--wait", "--timeout", "0"])).stderr).toContain(
      "--timeout must be a positive number of seconds",
    );
    const withoutWait = await cca(["task", "create", "x", "--timeout", "5"]);
    expect(withoutWait.code).toBe(2);
    expect(withoutWait.stderr).toContain("--timeout only applies with --wait.");
  });

  it("a number option that is negative or not a number", async () => {
    const result = await cca(["daemon", "logs", "-n", "many"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--lines must be a number of 0 or more, not NaN.");
    expect((await cca(["daemon", "stop", "--grace", "-1"])).code).toBe(2);
  });
});

describe("help and version", () => {
  it("--help lists the commands, the environment and the exit codes", async () => {
    const result = await cca(["--help"]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain("cca status");
    expect(result.stdout).toContain("cca daemon");
    expect(result.stdout).toContain("cca task");
    expect(result.stdout).toContain("cca agent");
    expect(result.stdout).toContain("cca db");
    expect(result.stdout).toContain("cca tokens");
    expect(result.stdout).toContain("CCA_DAEMON_URL");
    expect(result.stdout).toContain("3    daemon unreachable");
    expect(result.stdout).toContain("5    not found");
    expect(result.stdout).toContain("7    task paused");
  });

  it("each command's --help shows examples", async () => {
    for (const command of [
      ["status"],
      ["daemon", "start"],
      ["daemon", "stop"],
      ["daemon", "status"],
      ["daemon", "logs"],
      ["task", "create"],
      ["task", "status"],
      ["task", "list"],
      ["task", "cancel"],
      ["task", "resume"],
      ["agent", "list"],
      ["agent", "spawn"],
      ["agent", "stop"],
      ["db", "status"],
      ["db", "migrate"],
      ["tokens", "report"],
    ]) {
      const result = await cca([...command, "--help"]);
      expect(result.code, command.join(" ")).toBe(0);
      expect(result.stdout, command.join(" ")).toContain(`Examples:\n  cca ${command.join(" ")}`);
    }
  });

  it("task create --help describes --project and its default", async () => {
    const result = await cca(["task", "create", "--help"]);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /--project +The project folder the task is about.*\[default: the current folder\]/s,
    );
    expect(result.stdout).toContain("cca task create --project ../shop");
  });

  it("--version prints the package version", async () => {
    const result = await cca(["--version"]);

    expect(result).toEqual({ code: 0, stdout: `${packageJson.version}\n`, stderr: "" });
  });
});
