import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agentCredentialOf, startTestDaemon, type TestDaemon } from "./support.js";

let t: TestDaemon;
const clients: Client[] = [];
beforeEach(async () => {
  t = await startTestDaemon();
});
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  await t.close();
});

const endpoint = () => new URL(`${t.daemon.url}/agent-mcp`);

/** An MCP client of the agents' endpoint, as an agent's Claude Code connects with its MCP config. */
async function connectAs(credential: string): Promise<Client> {
  const client = new Client({ name: "agent-mcp-test", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(endpoint(), {
      requestInit: { headers: { Authorization: `Bearer ${credential}` } },
    }),
  );
  clients.push(client);
  return client;
}

const initialize = (authorization?: string, sessionId?: string) =>
  fetch(endpoint(), {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...(authorization ? { authorization } : {}),
      ...(sessionId ? { "mcp-session-id": sessionId } : {}),
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
    }),
  });

describe("the agents' MCP endpoint (/agent-mcp)", () => {
  it("serves an agent its role's bridge tools and carries them out as that agent", async () => {
    const backend = await t.client.spawnAgent("backend");
    const qa = await t.client.spawnAgent("qa");
    const mcp = await connectAs(agentCredentialOf(t.home, backend.id));
    expect((await mcp.listTools()).tools.map((tool) => tool.name).sort()).toEqual([
      "cca_broadcast",
      "cca_permission_prompt",
      "cca_send",
    ]);
    const result = await mcp.callTool({ name: "cca_send", arguments: { to: "qa", message: "hello" } });
    expect((result.content as { text: string }[])[0]!.text).toContain(`Delivered to ${qa.id}`);
    const coordinator = await t.client.spawnAgent("coordinator");
    const coordinatorMcp = await connectAs(agentCredentialOf(t.home, coordinator.id));
    expect((await coordinatorMcp.listTools()).tools.map((tool) => tool.name)).toContain("cca_delegate");
  });

  it("refuses a request without a credential, with the daemon's token, or with a stopped agent's", async () => {
    const backend = await t.client.spawnAgent("backend");
    const credential = agentCredentialOf(t.home, backend.id);
    await t.client.stopAgent(backend.id);
    for (const authorization of [undefined, `Bearer ${t.daemon.token}`, `Bearer ${credential}`]) {
      const response = await initialize(authorization);
      expect(response.status, String(authorization)).toBe(401);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("unauthorized");
      expect(body.error.message).toContain("agent credential");
    }
  });

  it("keeps each session to the agent that opened it", async () => {
    const backend = await t.client.spawnAgent("backend");
    const qa = await t.client.spawnAgent("qa");
    const opened = await initialize(`Bearer ${agentCredentialOf(t.home, backend.id)}`);
    expect(opened.status).toBe(200);
    const sessionId = opened.headers.get("mcp-session-id");
    expect(sessionId).toBeTruthy();
    await opened.body?.cancel();
    const stolen = await initialize(`Bearer ${agentCredentialOf(t.home, qa.id)}`, sessionId!);
    expect(stolen.status).toBe(404);
    const unknown = await initialize(`Bearer ${agentCredentialOf(t.home, qa.id)}`, "no-such-session");
    expect(unknown.status).toBe(404);
  });

  it("says what it expects of a first request that is not initialize", async () => {
    const backend = await t.client.spawnAgent("backend");
    const response = await fetch(endpoint(), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${agentCredentialOf(t.home, backend.id)}`,
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
      "Mcp-Session-Id",
    );
  });

  it("ends an agent's sessions, and their open streams, when the agent stops", async () => {
    const backend = await t.client.spawnAgent("backend");
    const authorization = `Bearer ${agentCredentialOf(t.home, backend.id)}`;
    const opened = await initialize(authorization);
    const sessionId = opened.headers.get("mcp-session-id")!;
    await opened.body?.cancel();
    // The stream Claude Code keeps open for the server's own messages.
    const stream = await fetch(endpoint(), {
      headers: { authorization, accept: "text/event-stream", "mcp-session-id": sessionId },
    });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    await t.client.stopAgent(backend.id);
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {}
  });
});
