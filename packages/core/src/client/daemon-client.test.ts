import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { CcaError } from "../errors/cca-error.js";
import { createDaemonClient } from "./daemon-client.js";

const servers: ReturnType<typeof createServer>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function serveOnce(status: number, body: string): Promise<string> {
  const server = createServer((_, response) => {
    response.writeHead(status, { "content-type": "application/json" }).end(body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("createDaemonClient", () => {
  it("says how to start the daemon when nothing listens", async () => {
    const client = createDaemonClient({ baseUrl: "http://127.0.0.1:1" });
    const error = (await client.health().catch((caught: unknown) => caught)) as CcaError;
    expect(error).toBeInstanceOf(CcaError);
    expect(error.code).toBe("daemon_unreachable");
    expect(error.message).toContain("cca daemon start");
  });

  it("turns an error body into a CcaError with its code", async () => {
    const baseUrl = await serveOnce(
      404,
      JSON.stringify({ error: { code: "task_not_found", message: "No task" } }),
    );
    const error = (await createDaemonClient({ baseUrl })
      .getTask("x")
      .catch((caught: unknown) => caught)) as CcaError;
    expect(error.code).toBe("task_not_found");
    expect(error.message).toBe("No task");
  });

  it("reports a non-JSON error answer with its status", async () => {
    const baseUrl = await serveOnce(502, "gateway down");
    const error = (await createDaemonClient({ baseUrl })
      .status()
      .catch((caught: unknown) => caught)) as CcaError;
    expect(error.code).toBe("internal");
    expect(error.message).toContain("HTTP 502");
  });
});
