import { createServer } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import {
  AgentRegister,
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
import { acpClientsOf, failureOf } from "./acp-clients.js";
import { busyCoordinator, startTestDaemon, type TestDaemon } from "./support.js";

// Agents' credentials on ACP and in their MCP configs: agent-credentials.test.ts.

let t: TestDaemon;
beforeEach(async () => {
  t = await startTestDaemon();
});
afterEach(async () => {
  await t.close();
});

const { acpUrl, connect, connectAs, credentialOf } = acpClientsOf(() => t);

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
