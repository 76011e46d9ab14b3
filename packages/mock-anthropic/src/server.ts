import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { buildAssistantMessage, estimateTokens } from "./assistant-message.ts";
import { PromptCache } from "./prompt-cache.ts";
import { parseRecordedRequest } from "./request.ts";
import { RequestLog } from "./request-log.ts";
import { noRuleReply, RuleBook, sideRequestReply } from "./script.ts";
import { formatSseEvent, messageToSseEvents } from "./sse.ts";
import type { MockAnthropic, MockAnthropicOptions, MockError, MockReply, RecordedRequest } from "./types.ts";

const HOST = "127.0.0.1";

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    "content-type": "application/json",
    "request-id": `req_mock_${randomUUID()}`,
    ...headers,
  });
  response.end(JSON.stringify(body));
}

function sendError(response: ServerResponse, error: MockError): void {
  const headers: Record<string, string> =
    error.retryAfterS === undefined ? {} : { "retry-after": String(error.retryAfterS) };
  sendJson(
    response,
    error.status,
    { type: "error", error: { type: error.type, message: error.message } },
    headers,
  );
}

/** Resolves after `ms`, or as soon as the client goes away. */
function waitWhileOpen(ms: number, response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      response.off("close", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    response.once("close", done);
  });
}

function replyOf(choose: () => MockReply, request: RecordedRequest): MockReply {
  try {
    return choose();
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const message = `mock-anthropic: a rule failed on "${request.lastUserText.slice(0, 60)}": ${reason}`;
    return { error: { status: 500, type: "api_error", message } };
  }
}

/**
 * Starts a scriptable mock of the Anthropic Messages API on 127.0.0.1.
 *
 * @example
 * const mock = await createMockAnthropic();
 * mock.on({ when: lastUserTextIncludes("hello"), reply: replyText("hi") });
 * const env = claudeTestEnv({ mockUrl: mock.url, home });
 * // spawn resolveClaudeBinary() with env, then:
 * await mock.close();
 */
export async function createMockAnthropic(options: MockAnthropicOptions = {}): Promise<MockAnthropic> {
  const rules = new RuleBook();
  const conversation = new RequestLog();
  const side = new RequestLog();
  const defaultReply = options.defaultReply ?? noRuleReply;
  const sideReply = options.sideReply ?? sideRequestReply;
  const promptCache = options.promptCache === false ? null : new PromptCache();

  async function answer(
    response: ServerResponse,
    reply: MockReply,
    body: Record<string, unknown>,
    bytes: number,
  ) {
    let clientGone = false;
    response.once("close", () => {
      clientGone = true;
    });
    if (reply.delayMs !== undefined && reply.delayMs > 0) await waitWhileOpen(reply.delayMs, response);
    // A hanging answer stays open until the client leaves or close() ends every connection.
    if (clientGone || reply.hang === true) return;
    if (reply.error !== undefined) {
      sendError(response, reply.error);
      return;
    }
    const model = typeof body.model === "string" ? body.model : "claude-mock";
    // A reply with usage of its own says what it costs; otherwise the cache splits the input.
    const cache = reply.usage === undefined ? promptCache?.account(body, estimateTokens(bytes)) : undefined;
    const message = buildAssistantMessage(reply, { model, requestBytes: bytes, ...(cache ? { cache } : {}) });
    if (body.stream !== true) {
      sendJson(response, 200, message);
      return;
    }
    response.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      "request-id": `req_mock_${randomUUID()}`,
    });
    for (const event of messageToSseEvents(message)) response.write(formatSseEvent(event));
    response.end();
  }

  async function handleMessages(request: IncomingMessage, response: ServerResponse, raw: Buffer) {
    let body: unknown;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch {
      sendError(response, {
        status: 400,
        type: "invalid_request_error",
        message: "mock-anthropic: body is not JSON",
      });
      return;
    }
    const recorded = parseRecordedRequest(body, {
      path: request.url ?? "/",
      headers: flattenHeaders(request.headers),
    });
    let reply: MockReply;
    if (recorded.isSideRequest) {
      reply = replyOf(() => sideReply(recorded), recorded);
      side.add(recorded);
    } else {
      reply = replyOf(() => rules.replyFor(recorded) ?? defaultReply(recorded), recorded);
      conversation.add(recorded);
    }
    await answer(response, reply, (body ?? {}) as Record<string, unknown>, raw.length);
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const raw = await readBody(request);
    const { pathname } = new URL(request.url ?? "/", "http://mock");
    const method = request.method ?? "GET";
    if (method === "HEAD") {
      // Claude Code sends `HEAD /` before its first request (a connectivity check).
      response.writeHead(pathname === "/" ? 200 : 404).end();
      return;
    }
    if (method === "POST" && pathname === "/v1/messages") {
      await handleMessages(request, response, raw);
      return;
    }
    if (method === "POST" && pathname === "/v1/messages/count_tokens") {
      sendJson(response, 200, { input_tokens: estimateTokens(raw.length) });
      return;
    }
    if (method === "GET" && pathname === "/") {
      sendJson(response, 200, { name: "mock-anthropic" });
      return;
    }
    if (method === "GET" && pathname === "/v1/models") {
      const model = {
        type: "model",
        id: "claude-mock",
        display_name: "Mock",
        created_at: "2025-01-01T00:00:00Z",
      };
      sendJson(response, 200, { data: [model], has_more: false, first_id: model.id, last_id: model.id });
      return;
    }
    sendError(response, {
      status: 404,
      type: "not_found_error",
      message: `mock-anthropic: no route for ${method} ${pathname}; it serves POST /v1/messages`,
    });
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((cause: unknown) => {
      const message = `mock-anthropic: ${cause instanceof Error ? cause.message : String(cause)}`;
      if (!response.headersSent) sendError(response, { status: 500, type: "api_error", message });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, HOST, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;

  const mock: MockAnthropic = {
    url: `http://${HOST}:${port}`,
    requests: conversation.requests,
    sideRequests: side.requests,
    on(rule) {
      rules.add(rule);
      return this;
    },
    waitForRequest(predicate, timeoutMs) {
      return conversation.waitFor(predicate, timeoutMs);
    },
    waitForSideRequest(predicate, timeoutMs) {
      return side.waitFor(predicate, timeoutMs);
    },
    reset() {
      rules.clear();
      conversation.clear();
      side.clear();
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        conversation.close();
        side.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
  return mock;
}
