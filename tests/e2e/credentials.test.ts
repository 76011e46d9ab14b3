import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RecordedRequest } from "@cca/mock-anthropic";
import { describe, expect, it } from "vitest";
import { useMockAndCcad } from "../support/e2e-context.js";
import { CCAD_BIN } from "../support/paths.js";

const isRole = (role: string) => (r: RecordedRequest) => r.systemText.includes(`You are the ${role} `);
const coordinator = isRole("Coordinator of a CCA team.");
const backend = isRole("backend specialist");

/** A running process: its pid and its argv as `/proc/<pid>/cmdline` shows it to every local user. */
interface ProcessInfo {
  pid: number;
  argv: string[];
}

/** `root` and every process below it, found from each process's parent in `/proc/<pid>/stat`. */
function processTree(root: number): ProcessInfo[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The fields after the parenthesised command name: state, then the parent's pid.
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // The process ended while we looked.
    }
  }
  const tree: ProcessInfo[] = [];
  const pending = [root];
  for (let pid = pending.shift(); pid !== undefined; pid = pending.shift()) {
    try {
      tree.push({ pid, argv: readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean) });
    } catch {
      continue;
    }
    pending.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** The MCP configs the daemon wrote for its agents, by agent id. */
function bridgeConfigs(home: string): Map<string, { path: string; credential: string }> {
  const folder = join(home, "agents");
  const configs = new Map<string, { path: string; credential: string }>();
  for (const agentId of existsSync(folder) ? readdirSync(folder) : []) {
    const path = join(folder, agentId, "mcp-config.json");
    const server = (
      JSON.parse(readFileSync(path, "utf8")) as {
        mcpServers: { cca: { env?: { CCA_AGENT_TOKEN: string }; headers?: { Authorization: string } } };
      }
    ).mcpServers.cca;
    // Over http the credential is the bearer header; over stdio, the bridge's environment.
    const credential = server.headers?.Authorization.replace(/^Bearer /, "") ?? server.env?.CCA_AGENT_TOKEN;
    configs.set(agentId, { path, credential: credential ?? "" });
  }
  return configs;
}

describe.each(["http", "stdio"] as const)(
  "credentials with real Claude Code, agents.bridge = %s",
  (bridge) => {
    const t = useMockAndCcad({ env: { CCA__AGENTS__BRIDGE: bridge } });

    it("puts no secret in the command line of any process the daemon starts", async () => {
      t.mock.on({
        when: (r) => coordinator(r) && r.toolResults.length === 0,
        reply: {
          toolUses: [{ name: "mcp__cca__cca_delegate", input: { role: "backend", task: "Hold on" } }],
        },
      });
      t.mock.on({ when: backend, reply: { hang: true } });
      const task = await t.ccad.client.createTask({ description: "Check the credentials" });
      // The backend's request lists its bridge's tools: both bridges have registered by now,
      // each with its own credential (a bridge serves tools only once the daemon accepted it).
      const request = await t.mock.waitForRequest(backend, 30_000);
      expect(request.toolNames).toEqual(
        expect.arrayContaining(["mcp__cca__cca_send", "mcp__cca__cca_broadcast"]),
      );

      const agents = await t.ccad.client.listAgents();
      const configs = bridgeConfigs(t.ccad.home);
      expect([...configs.keys()].sort()).toEqual(agents.map((agent) => agent.id).sort());
      for (const { path } of configs.values()) expect(statSync(path).mode & 0o777).toBe(0o600);
      const secrets = [t.ccad.token, ...[...configs.values()].map((config) => config.credential)];
      for (const secret of secrets) expect(secret.length).toBeGreaterThanOrEqual(32);
      expect(new Set(secrets).size).toBe(agents.length + 1);

      const tree = processTree(t.ccad.child.pid!);
      const claudes = tree.filter((info) => info.argv.includes("--mcp-config"));
      const bridges = tree.filter((info) => info.argv.some((arg) => arg.endsWith("cca-mcp.js")));
      expect(claudes).toHaveLength(2);
      // Over http the daemon serves the bridge tools itself: no bridge process starts.
      const bridged = bridge === "http" ? [] : agents.map((agent) => agent.id).sort();
      expect(bridges.map((info) => info.argv.at(-1)).sort()).toEqual(bridged);
      for (const info of tree) {
        const commandLine = info.argv.join(" ");
        for (const secret of secrets)
          expect(commandLine, `pid ${info.pid}: ${commandLine}`).not.toContain(secret);
      }
      for (const info of claudes) {
        const config = info.argv[info.argv.indexOf("--mcp-config") + 1];
        expect([...configs.values()].map((entry) => entry.path)).toContain(config);
      }
      // Claude Code's environment holds no secret; over stdio the credential reached each
      // bridge in its environment, which only its owner can read.
      for (const info of claudes) {
        const environment = readFileSync(`/proc/${info.pid}/environ`, "utf8");
        for (const secret of secrets) expect(environment).not.toContain(secret);
      }
      for (const info of bridges) {
        const environment = readFileSync(`/proc/${info.pid}/environ`, "utf8").split("\0");
        const agentId = info.argv.at(-1)!;
        expect(environment).toContain(`CCA_AGENT_TOKEN=${configs.get(agentId)!.credential}`);
        expect(environment.join("\n")).not.toContain(t.ccad.token);
      }

      await t.ccad.client.cancelTask(task.id);
      const specialist = agents.find((agent) => agent.role === "backend")!;
      await t.ccad.client.stopAgent(specialist.id);
      expect(existsSync(join(t.ccad.home, "agents", specialist.id))).toBe(false);
    });
  },
);

describe("a non-loopback bind", () => {
  it("refuses to start the built ccad on a non-loopback address without daemon.allow_remote", async () => {
    const home = mkdtempSync(join(tmpdir(), "cca-e2e-remote-"));
    try {
      const child = spawn(process.execPath, [CCAD_BIN], {
        env: { PATH: process.env.PATH ?? "", CCA_HOME: home, CCA__DAEMON__BIND_ADDRESS: "0.0.0.0:0" },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const code = await new Promise<number | null>((resolve) =>
        child.once("close", (exit) => resolve(exit)),
      );
      expect(code, stderr).toBe(1);
      expect(stderr).toContain(
        'daemon.bind_address = "0.0.0.0:0" is not a loopback address: ccad would answer the network.',
      );
      expect(stderr).toContain("set daemon.allow_remote = true (CCA__DAEMON__ALLOW_REMOTE=true)");
      expect(stderr).not.toContain("ccad listening");
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
