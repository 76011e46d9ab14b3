import { createRequire } from "node:module";
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
import type { ActivityEvent } from "@cca/core";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startTestDaemon, type TestDaemon } from "./support.js";

let t: TestDaemon;
beforeEach(async () => {
  t = await startTestDaemon();
});
afterEach(async () => {
  await t.close();
});

const acpUrl = () => `${t.daemon.url.replace(/^http/, "ws")}/acp`;
const connect = () => connectAcpClient({ url: acpUrl(), token: t.daemon.token, reconnect: false });

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
      { id: 3, error: { code: ErrorCodes.ApplicationError, data: { code: "agent_not_found" } } },
    ]);
  });

  it("refuses to delegate before the connection registers as an agent", async () => {
    const client = await connect();
    try {
      const error = await client
        .request(TaskDelegate, { role: "backend", task: "x" })
        .catch((e: unknown) => e);
      expect(isRpcError(error, ErrorCodes.ApplicationError)).toBe(true);
      expect((error as Error).message).toMatch(/Register first/);
    } finally {
      await client.close();
    }
  });

  it("registers a bridge and tells it its role's tools", async () => {
    const coordinator = await t.client.spawnAgent("coordinator");
    const backend = await t.client.spawnAgent("backend");
    const client = await connect();
    try {
      expect(await client.request(AgentRegister, { agent_id: coordinator.id })).toEqual({
        agent_id: coordinator.id,
        role: "coordinator",
        tools: ["cca_delegate"],
      });
      expect((await client.request(AgentRegister, { agent_id: backend.id })).tools).toEqual([
        "cca_send",
        "cca_broadcast",
      ]);
    } finally {
      await client.close();
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
        env: { PATH: process.env.PATH ?? "", CCA_DAEMON_URL: t.daemon.url, CCA_TOKEN: t.daemon.token },
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
