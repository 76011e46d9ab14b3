import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { binPath, bundlePath, requireBuild } from "./fixtures/built-files.js";
import { COMMAND_CENTER_TOOLS, closedPort, textOf } from "./fixtures/command-center-session.js";

beforeAll(requireBuild);

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function temporaryHome(): string {
  const home = mkdtempSync(join(tmpdir(), "cca-mcp-stdio-"));
  cleanups.push(() => rmSync(home, { recursive: true, force: true }));
  return home;
}

describe.each([
  ["the package's bin/cca-mcp.js", binPath],
  ["the plugin's bundled server/cca-mcp.mjs", bundlePath],
])("%s over stdio", (_name, program) => {
  it("lists the tools and tells how to start the daemon when it is down", async () => {
    const daemonUrl = `http://127.0.0.1:${await closedPort()}`;
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [program],
      env: { ...getDefaultEnvironment(), CCA_DAEMON_URL: daemonUrl, CCA_HOME: temporaryHome() },
      stderr: "pipe",
    });
    const client = new Client({ name: "cca-stdio-test", version: "0.0.0" });
    await client.connect(transport);
    cleanups.push(() => client.close());

    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(COMMAND_CENTER_TOOLS);
    expect(client.getServerVersion()).toMatchObject({ name: "cca" });

    const result = await client.callTool({ name: "cca_status", arguments: {} });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain(`The CCA daemon is not reachable at ${daemonUrl}`);
    expect(textOf(result)).toContain("cca daemon start");
  });

  it("exits on its own when its stdin closes", async () => {
    const child = spawn(process.execPath, [program], {
      env: { ...getDefaultEnvironment(), CCA_DAEMON_URL: `http://127.0.0.1:${await closedPort()}` },
      stdio: ["pipe", "pipe", "pipe"],
    });
    child.stdin.end();
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
  });

  it("refuses to start on a bad [mcp] setting, naming the key and the value", async () => {
    const child = spawnSync(process.execPath, [program], {
      env: {
        ...getDefaultEnvironment(),
        CCA_HOME: temporaryHome(),
        CCA__MCP__CANCEL_ON_INTERRUPT: "sometimes",
      },
      input: "",
      encoding: "utf8",
    });
    expect(child.status).toBe(2);
    expect(child.stdout).toBe("");
    expect(child.stderr).toMatch(
      /^cca-mcp: Invalid configuration:\n {2}- mcp\.cancel_on_interrupt = "sometimes": /,
    );
  });

  it("prints usage for --help and refuses an unknown option", () => {
    const help = spawnSync(process.execPath, [program, "--help"], { encoding: "utf8" });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Usage: cca-mcp [--help] [--version]");
    expect(help.stdout).toContain("claude plugin install cca@cca");
    const bad = spawnSync(process.execPath, [program, "--bogus"], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toBe("cca-mcp: Unknown option '--bogus'. Run cca-mcp --help for usage.\n");
  });
});
