import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createDaemonClientFromEnv } from "./daemon-connection.js";

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function startHealthServer(seen: IncomingHttpHeaders[]): Promise<string> {
  const server = createServer((request, response) => {
    seen.push(request.headers);
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify({ status: "ok", version: "test", uptime_s: 1 }));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  cleanups.push(() => server.close());
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no address");
  return `http://127.0.0.1:${address.port}`;
}

describe("createDaemonClientFromEnv", () => {
  it("uses the daemon address from CCA_DAEMON_URL and picks up a token written after it started", async () => {
    const seen: IncomingHttpHeaders[] = [];
    const home = mkdtempSync(join(tmpdir(), "cca-mcp-home-"));
    cleanups.push(() => rmSync(home, { recursive: true, force: true }));
    const client = createDaemonClientFromEnv({
      CCA_DAEMON_URL: await startHealthServer(seen),
      CCA_HOME: home,
    });

    await client.health();
    writeFileSync(join(home, "token"), "secret-1\n");
    await client.health();

    expect(seen.map((headers) => headers.authorization)).toEqual([undefined, "Bearer secret-1"]);
  });

  it("prefers CCA_TOKEN over the token file", async () => {
    const seen: IncomingHttpHeaders[] = [];
    const home = mkdtempSync(join(tmpdir(), "cca-mcp-home-"));
    cleanups.push(() => rmSync(home, { recursive: true, force: true }));
    writeFileSync(join(home, "token"), "from-file");
    const url = await startHealthServer(seen);
    await createDaemonClientFromEnv({ CCA_DAEMON_URL: url, CCA_HOME: home, CCA_TOKEN: "from-env" }).health();
    expect(seen[0]?.authorization).toBe("Bearer from-env");
  });
});
