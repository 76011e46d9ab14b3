import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AgentCredentials } from "./agent-credentials.js";
import {
  type BridgeTransport,
  bridgeConfigPath,
  createBridgeLauncher,
  type McpServerConfig,
} from "./bridge-launch.js";

const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

function launcher(transport: BridgeTransport = "http") {
  const home = mkdtempSync(join(tmpdir(), "cca-bridge-"));
  homes.push(home);
  const credentials = new AgentCredentials();
  const released: string[] = [];
  const launch = createBridgeLauncher({
    home,
    daemonUrl: () => "http://127.0.0.1:9200",
    credentials,
    transport,
    script: "/opt/cca-mcp.js",
    onRelease: (agentId) => released.push(agentId),
  });
  const credentialIn = (path: string) => {
    const server = (JSON.parse(readFileSync(path, "utf8")) as { mcpServers: { cca: McpServerConfig } })
      .mcpServers.cca;
    return "url" in server
      ? server.headers!.Authorization!.replace("Bearer ", "")
      : server.env!.CCA_AGENT_TOKEN!;
  };
  return { home, credentials, launch, credentialIn, released };
}

describe("createBridgeLauncher", () => {
  it("writes a 0600 MCP config pointing at the daemon's /agent-mcp with the agent's credential", () => {
    const { home, credentials, launch, credentialIn } = launcher();
    const mcp = launch("backend-1", "backend");
    expect(mcp.configPath).toBe(bridgeConfigPath(home, "backend-1"));
    expect(statSync(mcp.configPath).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(mcp.configPath)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(mcp.configPath, "utf8"))).toEqual({
      mcpServers: {
        cca: {
          type: "http",
          url: "http://127.0.0.1:9200/agent-mcp",
          headers: { Authorization: expect.stringMatching(/^Bearer [A-Za-z0-9_-]{43}$/) },
        },
      },
    });
    expect(credentials.identify(credentialIn(mcp.configPath))).toEqual({
      agentId: "backend-1",
      role: "backend",
    });
  });

  it("over stdio, writes a 0600 MCP config running cca-mcp --agent with a credential bound to the agent", () => {
    const { home, credentials, launch, credentialIn } = launcher("stdio");
    const mcp = launch("backend-1", "backend");
    expect(mcp.configPath).toBe(bridgeConfigPath(home, "backend-1"));
    expect(mcp.allowedTools).toEqual(["mcp__cca__cca_send", "mcp__cca__cca_broadcast"]);
    expect(mcp.permissionPromptTool).toBe("mcp__cca__cca_permission_prompt");
    expect(statSync(mcp.configPath).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(mcp.configPath)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(mcp.configPath, "utf8"))).toEqual({
      mcpServers: {
        cca: {
          command: process.execPath,
          args: ["/opt/cca-mcp.js", "--agent", "backend-1"],
          env: { CCA_DAEMON_URL: "http://127.0.0.1:9200", CCA_AGENT_TOKEN: expect.any(String) },
        },
      },
    });
    expect(credentials.identify(credentialIn(mcp.configPath))).toEqual({
      agentId: "backend-1",
      role: "backend",
    });
  });

  it("ends the credential, deletes the file and ends the agent's MCP sessions on release, once", () => {
    const { credentials, launch, credentialIn, released } = launcher();
    const mcp = launch("qa-1", "qa");
    const credential = credentialIn(mcp.configPath);
    mcp.release();
    expect(existsSync(dirname(mcp.configPath))).toBe(false);
    expect(credentials.identify(credential)).toBeUndefined();
    mcp.release();
    expect(credentials.size).toBe(0);
    expect(released).toEqual(["qa-1"]);
  });

  it("keeps a restarted process's credential and file through a late release of its earlier process, which still calls onRelease", () => {
    const { credentials, launch, credentialIn, released } = launcher();
    const earlier = launch("coordinator-1", "coordinator");
    const earlierCredential = credentialIn(earlier.configPath);
    const restarted = launch("coordinator-1", "coordinator");
    const credential = credentialIn(restarted.configPath);
    expect(credentials.identify(earlierCredential)).toBeUndefined();
    earlier.release();
    expect(existsSync(restarted.configPath)).toBe(true);
    expect(credentials.identify(credential)).toEqual({ agentId: "coordinator-1", role: "coordinator" });
    // The earlier process's sessions, of a credential that ended at the restart, are to end now.
    expect(released).toEqual(["coordinator-1"]);
    restarted.release();
    expect(existsSync(restarted.configPath)).toBe(false);
    expect(released).toEqual(["coordinator-1", "coordinator-1"]);
  });

  it("refuses an agent id that is not a plain folder name", () => {
    const { launch, credentials } = launcher();
    expect(() => launch("../escape", "backend")).toThrow('Agent id "../escape" cannot name a folder');
    expect(credentials.size).toBe(0);
  });
});
