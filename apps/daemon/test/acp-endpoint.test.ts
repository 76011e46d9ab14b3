import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import {
  AgentRegister,
  AgentSend,
  ErrorCodes,
  EventsActivity,
  EventsSubscribe,
  isRpcError,
  TaskDelegate,
} from "@cca/acp";
import { AcpConnectError, connectAcpClient } from "@cca/acp/ws";
import { type ActivityEvent, InMemoryEventBus } from "@cca/core";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createAcpEndpoint } from "../src/acp/acp-endpoint.js";
import { bridgeConfigPath } from "../src/acp/bridge-launch.js";
import { agentEnvironment } from "../src/agents/launch-args.js";
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

const acpUrl = () => `${t.daemon.url.replace(/^http/, "ws")}/acp`;
const connect = () => connectAcpClient({ url: acpUrl(), token: t.daemon.token, reconnect: false });

/** The credential the daemon gave an agent's bridge. */
const credentialOf = (agentId: string): string => agentCredentialOf(t.home, agentId);
/** An ACP client that speaks with an agent's own credential. */
const connectAs = (agentId: string) =>
  connectAcpClient({ url: acpUrl(), token: credentialOf(agentId), reconnect: false });
const failureOf = async (request: Promise<unknown>) => {
  const error = await request.then(
    () => new Error("expected the request to be refused"),
    (e: unknown) => e,
  );
  expect(isRpcError(error, ErrorCodes.ApplicationError), String(error)).toBe(true);
  return error as Error & { data: unknown };
};

describe("the daemon's ACP endpoint", () => {
  it("refuses a connection without the access token", async () => {
    const error = await connectAcpClient({ url: acpUrl(), token: "wrong", reconnect: false }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AcpConnectError);
    expect((error as AcpConnectError).code).toBe("unauthorized");
  });

  it("answers a malformed frame with a parse error and keeps serving", async () => {
    const socket = new WebSocket(`${acpUrl()}?token=${t.daemon.token}`);
    await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
    const replies: unknown[] = [];
    const next = () =>
      new Promise<unknown>((resolve) => socket.once("message", (data) => resolve(JSON.parse(String(data)))));
    socket.send("{not json");
    replies.push(await next());
    socket.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "agent/nope", params: {} }));
    replies.push(await next());
    socket.send(JSON.stringify({ jsonrpc: "2.0", id: 2, method: "agent/register", params: { agent_id: 5 } }));
    replies.push(await next());
    socket.send(
      JSON.stringify({ jsonrpc: "2.0", id: 3, method: "agent/register", params: { agent_id: "nobody" } }),
    );
    replies.push(await next());
    socket.close();
    expect(replies).toMatchObject([
      { id: null, error: { code: ErrorCodes.ParseError } },
      { id: 1, error: { code: ErrorCodes.MethodNotFound } },
      { id: 2, error: { code: ErrorCodes.InvalidParams } },
      { id: 3, error: { code: ErrorCodes.ApplicationError, data: { code: "unauthorized" } } },
    ]);
  });

  it("refuses to delegate before the connection registers as an agent", async () => {
    const { coordinatorId } = await busyCoordinator(t);
    const client = await connectAs(coordinatorId);
    try {
      const error = await failureOf(client.request(TaskDelegate, { role: "backend", task: "x" }));
      expect(error.message).toMatch(/Register first/);
    } finally {
      await client.close();
    }
  });

  it("registers a bridge, by the agent's own credential, and tells it its role's tools", async () => {
    const coordinator = await t.client.spawnAgent("coordinator");
    const backend = await t.client.spawnAgent("backend");
    const asCoordinator = await connectAs(coordinator.id);
    const asBackend = await connectAs(backend.id);
    try {
      expect(await asCoordinator.request(AgentRegister, { agent_id: coordinator.id })).toEqual({
        agent_id: coordinator.id,
        role: "coordinator",
        tools: ["cca_delegate", "cca_permission_prompt"],
        approval_timeout_s: 600,
      });
      expect((await asBackend.request(AgentRegister, { agent_id: backend.id })).tools).toEqual([
        "cca_send",
        "cca_broadcast",
        "cca_permission_prompt",
      ]);
    } finally {
      await asCoordinator.close();
      await asBackend.close();
    }
  });

  it("streams activity to a subscriber", async () => {
    const client = await connect();
    const seen: ActivityEvent[] = [];
    let done: () => void = () => {};
    const completed = new Promise<void>((resolve) => {
      done = resolve;
    });
    client.onNotification(EventsActivity, (event) => {
      seen.push(event);
      if (event.kind === "task.completed") done();
    });
    try {
      await client.request(EventsSubscribe, {});
      await t.client.createTask({ description: "watched" });
      await completed;
      expect(seen.map((event) => event.kind)).toEqual(
        expect.arrayContaining(["task.queued", "task.started", "task.completed"]),
      );
    } finally {
      await client.close();
    }
  });
});

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

describe("events/subscribe limits", () => {
  it("sends each event once however often a connection subscribes to it", async () => {
    const client = await connect();
    const seen: ActivityEvent[] = [];
    let cancelled: () => void = () => {};
    const ended = new Promise<void>((resolve) => {
      cancelled = resolve;
    });
    client.onNotification(EventsActivity, (event) => {
      seen.push(event);
      if (event.kind === "task.cancelled") cancelled();
    });
    try {
      const task = await t.client.createTask({ description: "hang" });
      await client.request(EventsSubscribe, {});
      await client.request(EventsSubscribe, {});
      await client.request(EventsSubscribe, { task_id: task.id });
      await client.request(EventsSubscribe, { task_id: task.id });
      await t.client.cancelTask(task.id);
      await ended;
      const seqs = seen.map((event) => event.seq);
      expect(seqs.length).toBeGreaterThan(0);
      expect(new Set(seqs).size).toBe(seqs.length);
    } finally {
      await client.close();
    }
  });

  it("refuses a subscription beyond acp.max_subscriptions, naming the limit, and does not count a repeat", async () => {
    const bus = new InMemoryEventBus();
    const own = await startTestDaemon({ bus });
    const endpoint = createAcpEndpoint({
      orchestrator: own.daemon.orchestrator,
      agents: own.daemon.agents,
      bus,
      token: "limits-token",
      limits: { maxSubscriptions: 2 },
    });
    const http = createServer();
    endpoint.attach(http);
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/acp`;
    const client = await connectAcpClient({ url, token: "limits-token", reconnect: false });
    try {
      const first = await own.client.createTask({ description: "first" });
      const second = await own.client.createTask({ description: "second" });
      await client.request(EventsSubscribe, { task_id: first.id });
      await client.request(EventsSubscribe, {});
      await client.request(EventsSubscribe, { task_id: first.id });
      const error = await client.request(EventsSubscribe, { task_id: second.id }).catch((e: unknown) => e);
      expect(isRpcError(error, ErrorCodes.ApplicationError)).toBe(true);
      expect((error as Error).message).toMatch(
        /already holds 2 activity subscriptions, the most acp\.max_subscriptions allows/,
      );
      expect((error as { data: unknown }).data).toEqual({ code: "bad_request", max_subscriptions: 2 });
    } finally {
      await client.close();
      await endpoint.close();
      await new Promise((resolve) => http.close(resolve));
      await own.close();
    }
  });
});

describe("an agent bridge (cca-mcp --agent)", () => {
  it("reconnects after the daemon's ACP server restarts and keeps working", async () => {
    const backend = await t.client.spawnAgent("backend");
    const qa = await t.client.spawnAgent("qa");
    const bin = join(
      dirname(createRequire(import.meta.url).resolve("@cca/mcp/package.json")),
      "bin",
      "cca-mcp.js",
    );
    const mcp = new Client({ name: "bridge-test", version: "1.0.0" });
    await mcp.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [bin, "--agent", backend.id],
        env: {
          PATH: process.env.PATH ?? "",
          CCA_DAEMON_URL: t.daemon.url,
          CCA_AGENT_TOKEN: credentialOf(backend.id),
        },
        stderr: "pipe",
      }),
    );
    const send = async (message: string) => {
      const result = await mcp.callTool({ name: "cca_send", arguments: { to: "qa", message } });
      return (result.content as { text: string }[])[0]!.text;
    };
    try {
      expect((await mcp.listTools()).tools.map((tool) => tool.name).sort()).toEqual([
        "cca_broadcast",
        "cca_permission_prompt",
        "cca_send",
      ]);
      expect(await send("before the restart")).toContain(`Delivered to ${qa.id}`);
      await t.daemon.acp.restart();
      expect(await send("after the restart")).toContain(`Delivered to ${qa.id}`);
    } finally {
      await mcp.close();
    }
  });
});
