import type { IncomingMessage } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { rejectionOf } from "../../test/fixtures/deferred.js";
import { Echo } from "../../test/fixtures/methods.js";
import { upgradeOutcome } from "../../test/fixtures/raw-client.js";
import { createTokenAuthenticator, readRequestToken } from "./auth.js";
import { type AcpClient, connectAcpClient } from "./client.js";
import { AcpConnectError } from "./connect-error.js";
import { type AcpServer, createAcpServer } from "./server.js";

const TOKEN = "s3cret-token";
const servers: AcpServer[] = [];
const clients: AcpClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function startServer(): Promise<{ url: string; principals: unknown[] }> {
  const principals: unknown[] = [];
  const server = createAcpServer({
    authenticate: createTokenAuthenticator(TOKEN),
    onConnection(connection, principal) {
      principals.push(principal);
      connection.onRequest(Echo, ({ text }) => ({ text }));
    },
    heartbeat: false,
  });
  servers.push(server);
  const { url } = await server.listen({ port: 0, path: "/acp" });
  return { url, principals };
}

describe("token authentication before the upgrade", () => {
  it("refuses a connection without a token with HTTP 401", async () => {
    const { url, principals } = await startServer();
    expect(await upgradeOutcome(url)).toBe(401);
    expect(principals).toEqual([]);
  });

  it("refuses a wrong token in the header or the query with HTTP 401", async () => {
    const { url } = await startServer();
    expect(await upgradeOutcome(url, { authorization: "Bearer wrong" })).toBe(401);
    expect(await upgradeOutcome(`${url}?token=wrong`)).toBe(401);
    expect(await upgradeOutcome(url, { authorization: `Basic ${TOKEN}` })).toBe(401);
  });

  it("accepts the right token as Authorization: Bearer", async () => {
    const { url, principals } = await startServer();
    expect(await upgradeOutcome(url, { authorization: `Bearer ${TOKEN}` })).toBe("open");
    const client = await connectAcpClient({ url, token: TOKEN, heartbeat: false });
    clients.push(client);
    expect(await client.request(Echo, { text: "in" })).toEqual({ text: "in" });
    expect(principals).toEqual(["token", "token"]);
  });

  it("accepts the right token as the token query parameter", async () => {
    const { url } = await startServer();
    expect(await upgradeOutcome(`${url}?token=${TOKEN}`)).toBe("open");
    const client = await connectAcpClient({ url, token: TOKEN, tokenIn: "query", heartbeat: false });
    clients.push(client);
    expect(await client.request(Echo, { text: "in" })).toEqual({ text: "in" });
  });

  it("makes a client with a wrong token give up at once with an unauthorized AcpConnectError", async () => {
    const { url } = await startServer();
    const error = await rejectionOf(
      connectAcpClient({
        url,
        token: "wrong",
        heartbeat: false,
        reconnect: { initialDelayMs: 1, maxAttempts: 50 },
      }),
    );
    expect(error).toBeInstanceOf(AcpConnectError);
    expect(error).toMatchObject({ code: "unauthorized", attempts: 1 });
    expect((error as Error).message).toContain("HTTP 401");
  });
});

describe("readRequestToken", () => {
  const request = (url: string, authorization?: string) =>
    ({ url, headers: authorization === undefined ? {} : { authorization } }) as IncomingMessage;

  it("prefers the Bearer header to the query parameter", () => {
    expect(readRequestToken(request("/acp?token=query", "Bearer header"))).toBe("header");
    expect(readRequestToken(request("/acp?token=query"))).toBe("query");
    expect(readRequestToken(request("/acp?token="))).toBeUndefined();
    expect(readRequestToken(request("/acp", "Token abc"))).toBeUndefined();
  });
});

describe("createTokenAuthenticator", () => {
  it("accepts only the exact token", () => {
    const authenticate = createTokenAuthenticator("abc");
    expect(authenticate("abc")).toBe("token");
    expect(authenticate("abd")).toBeNull();
    expect(authenticate("abcd")).toBeNull();
    expect(authenticate(undefined)).toBeNull();
    expect(() => createTokenAuthenticator("")).toThrow(/non-empty/);
  });
});
