import { connectAcpClient } from "@cca/acp/ws";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agentCredentialOf, startTestDaemon, type TestDaemon } from "./support.js";

let t: TestDaemon;
beforeEach(async () => {
  t = await startTestDaemon();
});
afterEach(async () => {
  await t.close();
});

const status = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${t.daemon.url}${path}`, { headers });

describe("the HTTP API's access token", () => {
  it("accepts the Bearer scheme in any case (RFC 7235)", async () => {
    for (const scheme of ["Bearer", "bearer", "BEARER", "bEaReR"]) {
      const response = await status("/api/v1/status", { authorization: `${scheme} ${t.daemon.token}` });
      expect(response.status, scheme).toBe(200);
    }
  });

  it("refuses the token as a ?token= query parameter outside the WebSocket upgrade", async () => {
    const response = await status(`/api/v1/status?token=${encodeURIComponent(t.daemon.token)}`);
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("unauthorized");
    expect(body.error.message).toContain(
      "a ?token= query parameter is accepted only on the /acp WebSocket upgrade",
    );
  });

  it("still takes ?token= on the /acp WebSocket upgrade", async () => {
    const client = await connectAcpClient({
      url: `${t.daemon.url.replace(/^http/, "ws")}/acp`,
      token: t.daemon.token,
      tokenIn: "query",
      reconnect: false,
    });
    await client.close();
  });

  it("refuses a scheme other than Bearer, and an agent's credential", async () => {
    const agent = await t.client.spawnAgent("backend");
    for (const authorization of [
      `Basic ${t.daemon.token}`,
      `Bearer${t.daemon.token}`,
      `Bearer ${agentCredentialOf(t.home, agent.id)}`,
    ]) {
      expect((await status("/api/v1/status", { authorization })).status, authorization).toBe(401);
    }
  });
});
