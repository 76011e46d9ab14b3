import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createTimedFetch } from "./context.ts";

// The server answers at once, then sends the body only after the fetch's timeout has passed.
const BODY_DELAY_MS = 150;
const TIMEOUT_MS = 30;

const server = createServer((request, response) => {
  response.writeHead(200, { "content-type": "text/plain" });
  response.flushHeaders();
  setTimeout(() => response.end(`late body for ${request.url}`), BODY_DELAY_MS);
});

afterEach(() => {
  server.closeAllConnections();
  server.close();
});

async function serve(): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("createTimedFetch", () => {
  it("lets the event stream stay open past the timeout once the daemon answered", async () => {
    const url = await serve();

    const response = await createTimedFetch(TIMEOUT_MS)(`${url}/api/v1/events`);

    expect(await response.text()).toBe("late body for /api/v1/events");
  });

  it("gives up on any other request whose answer takes longer than the timeout", async () => {
    const url = await serve();

    const response = await createTimedFetch(TIMEOUT_MS)(`${url}/api/v1/status`);

    await expect(response.text()).rejects.toThrow();
  });
});
