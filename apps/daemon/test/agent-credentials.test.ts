import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { AgentRegister, AgentSend, EventsSubscribe, TaskDelegate } from "@cca/acp";
import { type AcpConnectError, connectAcpClient } from "@cca/acp/ws";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bridgeConfigPath } from "../src/acp/bridge-launch.js";
import { agentEnvironment } from "../src/agents/launch-args.js";
import { acpClientsOf, failureOf } from "./acp-clients.js";
import {
  agentCredentialOf,
  bridgeConfigOf,
  busyCoordinator,
  startTestDaemon,
  type TestDaemon,
} from "./support.js";

let t: TestDaemon;
beforeEach(async () => {
  t = await startTestDaemon();
});
afterEach(async () => {
  await t.close();
});

const { acpUrl, connect, connectAs, credentialOf } = acpClientsOf(() => t);

describe("agent credentials on ACP", () => {
  it("gives each agent its own credential, unlike the daemon's token and each other's", async () => {
    const backend = await t.client.spawnAgent("backend");
    const qa = await t.client.spawnAgent("qa");
    const credentials = [credentialOf(backend.id), credentialOf(qa.id)];
    expect(new Set([...credentials, t.daemon.token]).size).toBe(3);
    for (const credential of credentials) expect(credential.length).toBeGreaterThanOrEqual(40);
  });

  it("refuses an agent credential that registers as another agent, naming the rule", async () => {
    const backend = await t.client.spawnAgent("backend");
    const coordinator = await t.client.spawnAgent("coordinator");
    const client = await connectAs(backend.id);
    try {
      const error = await failureOf(client.request(AgentRegister, { agent_id: coordinator.id }));
      expect(error.data).toEqual({ code: "unauthorized" });
      expect(error.message).toBe(
        `This connection's credential belongs to agent ${backend.id}: it may register only as ${backend.id}, not as ${coordinator.id}`,
      );
      // Refused, the connection is still the backend's own and nobody else's.
      const sent = await failureOf(client.request(AgentSend, { to: "coordinator", message: "hi" }));
      expect(sent.message).toMatch(/Register first/);
    } finally {
      await client.close();
    }
  });

  it("refuses task/delegate to a specialist's credential, naming the rule", async () => {
    const { parent } = await busyCoordinator(t);
    const backend = await t.client.spawnAgent("backend");
    const client = await connectAs(backend.id);
    try {
      await client.request(AgentRegister, { agent_id: backend.id });
      const error = await failureOf(client.request(TaskDelegate, { role: "qa", task: "look" }));
      expect(error.data).toEqual({ code: "unauthorized" });
      expect(error.message).toMatch(
        new RegExp(
          `^Only the Coordinator may delegate: task/delegate needs an agent of role "coordinator", and ${backend.id} is a backend agent`,
        ),
      );
      expect((await t.client.getTaskTree(parent.id)).subtasks).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it("lets the Coordinator's credential delegate", async () => {
    const { parent, coordinatorId } = await busyCoordinator(t);
    const client = await connectAs(coordinatorId);
    try {
      await client.request(AgentRegister, { agent_id: coordinatorId });
      const { task } = await client.request(TaskDelegate, { role: "backend", task: "look" });
      expect(task).toMatchObject({ status: "completed", parent_id: parent.id, result: "echo: look" });
    } finally {
      await client.close();
    }
  });

  it("refuses agent methods to the daemon's own token, which still serves tools", async () => {
    const coordinator = await t.client.spawnAgent("coordinator");
    const client = await connect();
    try {
      const register = await failureOf(client.request(AgentRegister, { agent_id: coordinator.id }));
      expect(register.message).toMatch(
        /^agent\/register needs the agent's own credential .*the daemon's access token cannot register as an agent$/,
      );
      const delegate = await failureOf(client.request(TaskDelegate, { role: "backend", task: "x" }));
      expect(delegate.message).toMatch(
        /^task\/delegate is an agent method: it needs the agent's own credential/,
      );
      expect(delegate.data).toEqual({ code: "unauthorized" });
      expect(await client.request(EventsSubscribe, {})).toEqual({ subscribed: true });
    } finally {
      await client.close();
    }
  });

  it("ends an agent's credential and deletes its MCP config when the agent stops", async () => {
    const backend = await t.client.spawnAgent("backend");
    await t.client.spawnAgent("qa");
    const credential = credentialOf(backend.id);
    const client = await connectAs(backend.id);
    try {
      await client.request(AgentRegister, { agent_id: backend.id });
      await t.client.stopAgent(backend.id);
      expect(existsSync(dirname(bridgeConfigPath(t.home, backend.id)))).toBe(false);
      const error = await failureOf(client.request(AgentSend, { to: "qa", message: "still there?" }));
      expect(error.message).toBe(
        `The credential of agent ${backend.id} has ended (the agent stopped); only a running agent's bridge may call the daemon`,
      );
      const refused = await connectAcpClient({ url: acpUrl(), token: credential, reconnect: false }).catch(
        (e: unknown) => e,
      );
      expect((refused as AcpConnectError).code).toBe("unauthorized");
    } finally {
      await client.close();
    }
  });
});

describe("how an agent gets its credential", () => {
  /** Spawns a Coordinator on a daemon of its own; returns its MCP config's path, entry and Claude Code's argv. */
  const spawnAndRead = async (bridge: "http" | "stdio") => {
    const argsFile = join(t.home, `fake-claude-args-${bridge}.json`);
    const own = await startTestDaemon({
      config: { agents: { bridge } },
      env: { ...process.env, FAKE_CLAUDE_ARGS_FILE: argsFile },
    });
    const coordinator = await own.client.spawnAgent("coordinator");
    const path = bridgeConfigPath(own.home, coordinator.id);
    const argv = JSON.parse(readFileSync(argsFile, "utf8")) as string[];
    return { own, coordinator, path, server: bridgeConfigOf(own.home, coordinator.id), argv };
  };

  it("writes the MCP config to a 0600 file in a 0700 folder of $CCA_HOME and passes only its path", async () => {
    const { own, coordinator, path, server, argv } = await spawnAndRead("http");
    try {
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
      expect(server).toEqual({
        type: "http",
        url: `${own.daemon.url}/agent-mcp`,
        headers: { Authorization: expect.stringMatching(/^Bearer \S+$/) },
      });
      expect(argv[argv.indexOf("--mcp-config") + 1]).toBe(path);
      const credential = agentCredentialOf(own.home, coordinator.id);
      for (const secret of [credential, own.daemon.token]) expect(argv.join(" ")).not.toContain(secret);
    } finally {
      await own.close();
    }
  });

  it('with agents.bridge = "stdio", runs cca-mcp --agent with the credential in its environment', async () => {
    const { own, coordinator, server, argv } = await spawnAndRead("stdio");
    try {
      expect(server).toEqual({
        command: process.execPath,
        args: [expect.stringMatching(/cca-mcp\.js$/), "--agent", coordinator.id],
        env: { CCA_DAEMON_URL: own.daemon.url, CCA_AGENT_TOKEN: agentCredentialOf(own.home, coordinator.id) },
      });
      expect(argv.join(" ")).not.toContain(agentCredentialOf(own.home, coordinator.id));
    } finally {
      await own.close();
    }
  });

  it("keeps CCA credentials in the daemon's environment out of its agents'", () => {
    const env = agentEnvironment({ PATH: "/bin", CCA_TOKEN: "daemon", CCA_AGENT_TOKEN: "other" }, {});
    expect(env).toEqual({ PATH: "/bin" });
  });
});
