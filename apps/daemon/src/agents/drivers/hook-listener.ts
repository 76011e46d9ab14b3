import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type Logger, noopLogger } from "@cca/core";
import { type HookEvent, HookEventSchema } from "./hook-events.js";

/** Answers one hook event: the JSON Claude Code reads back (e.g. a permission decision), or undefined for none. */
export type HookHandler = (event: HookEvent) => Promise<unknown> | unknown;

const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** The environment variable that carries the listener's token to the hook (never argv). */
export const HOOK_TOKEN_VARIABLE = "CCA_HOOK_TOKEN";

/**
 * A loopback HTTP endpoint for one Claude Code process's hooks: Claude Code posts each
 * hook event as JSON (`type: "http"` hooks, or the command hook's relay), with the
 * listener's token as a bearer credential; the handler's answer is the response body.
 * @example const hooks = await HookListener.start(async (event) => handle(event));
 */
export class HookListener {
  readonly url: string;
  readonly token: string;
  readonly #server: Server;

  private constructor(server: Server, url: string, token: string) {
    this.#server = server;
    this.url = url;
    this.token = token;
  }

  static async start(handler: HookHandler, logger: Logger = noopLogger): Promise<HookListener> {
    const token = randomBytes(24).toString("base64url");
    const expected = Buffer.from(`Bearer ${token}`);
    const server = createServer((request, response) => {
      void serve(request, response, { handler, expected, logger });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    server.unref();
    return new HookListener(server, `http://127.0.0.1:${port}/hook`, token);
  }

  /** Stops listening and drops open requests (a hook waiting for an answer gets none). */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}

async function serve(
  request: IncomingMessage,
  response: ServerResponse,
  context: { handler: HookHandler; expected: Buffer; logger: Logger },
): Promise<void> {
  const reply = (status: number, body: unknown) => {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  };
  const given = Buffer.from(request.headers.authorization ?? "");
  if (
    request.method !== "POST" ||
    given.length !== context.expected.length ||
    !timingSafeEqual(given, context.expected)
  ) {
    reply(401, { error: "unauthorized" });
    request.resume();
    return;
  }
  let text: string;
  try {
    text = await readBody(request);
  } catch (error) {
    reply(413, { error: String(error) });
    return;
  }
  let event: HookEvent;
  try {
    const parsed = HookEventSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      // An event this driver does not listen to, or a changed format: nothing to answer.
      context.logger.debug("ignored a hook event CCA does not read", { body: text.slice(0, 200) });
      reply(200, {});
      return;
    }
    event = parsed.data;
  } catch {
    context.logger.warn("a hook posted a body that is not JSON", { body: text.slice(0, 200) });
    reply(400, { error: "expected a JSON hook event" });
    return;
  }
  try {
    reply(200, (await context.handler(event)) ?? {});
  } catch (error) {
    context.logger.warn("a hook handler failed", { event: event.hook_event_name, error: String(error) });
    reply(200, {});
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`hook body larger than ${MAX_BODY_BYTES} bytes`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}
