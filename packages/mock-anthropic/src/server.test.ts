import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readSse } from "../test/read-sse.ts";
import { lastUserTextIncludes, replyError, replyText } from "./script.ts";
import { createMockAnthropic } from "./server.ts";
import type { MockAnthropic } from "./types.ts";

let mock: MockAnthropic;

beforeEach(async () => {
  mock = await createMockAnthropic();
});

afterEach(async () => {
  await mock.close();
});

function post(body: unknown, path = "/v1/messages?beta=true"): Promise<Response> {
  return fetch(`${mock.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": "k" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

// biome-ignore lint/suspicious/noExplicitAny: assertions read fields of API response bodies
function json(response: Response): Promise<any> {
  return response.json();
}

function messagesBody(text: string, extra: Record<string, unknown> = {}) {
  return {
    model: "claude-test",
    max_tokens: 100,
    stream: true,
    messages: [{ role: "user", content: text }],
    ...extra,
  };
}

const titleFormat = {
  type: "json_schema",
  schema: { type: "object", properties: { title: { type: "string" } }, required: ["title"] },
};

describe("createMockAnthropic", () => {
  it("listens on 127.0.0.1 on a free port", () => {
    expect(mock.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("streams the scripted reply as server-sent events", async () => {
    mock.on({
      when: lastUserTextIncludes("hello"),
      reply: replyText("hi there", { input_tokens: 9, output_tokens: 4 }),
    });

    const response = await post(messagesBody("hello"));
    const events = readSse(await response.text());

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    expect(events.map((event) => event.event)).toEqual([
      "message_start",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(events[2]?.data.delta).toEqual({ type: "text_delta", text: "hi there" });
    expect(events[4]?.data.usage).toMatchObject({ input_tokens: 9, output_tokens: 4 });
  });

  it("answers a non-streaming request with the whole message as JSON", async () => {
    mock.on({
      when: () => true,
      reply: { text: "calling", toolUses: [{ id: "toolu_x", name: "Read", input: { a: 1 } }] },
    });

    const response = await post(messagesBody("read", { stream: false }));

    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({
      type: "message",
      role: "assistant",
      model: "claude-test",
      content: [
        { type: "text", text: "calling" },
        { type: "tool_use", id: "toolu_x", name: "Read", input: { a: 1 } },
      ],
      stop_reason: "tool_use",
    });
  });

  it("answers with the scripted HTTP error in the API's error shape", async () => {
    mock.on({ when: () => true, reply: replyError(529, "overloaded_error", "busy") });

    const response = await post(messagesBody("hello"));

    expect(response.status).toBe(529);
    expect(await json(response)).toEqual({
      type: "error",
      error: { type: "overloaded_error", message: "busy" },
    });
  });

  it("says so in the answer when no rule matches", async () => {
    const response = await post(messagesBody("unscripted question", { stream: false }));

    expect((await json(response)).content).toEqual([
      { type: "text", text: 'mock: no rule for "unscripted question"' },
    ]);
  });

  it("uses the defaultReply option when no rule matches", async () => {
    await mock.close();
    mock = await createMockAnthropic({ defaultReply: () => replyText("fallback") });

    const response = await post(messagesBody("anything", { stream: false }));

    expect((await json(response)).content).toEqual([{ type: "text", text: "fallback" }]);
  });

  it("turns a rule that throws into a 500 api_error naming the failure", async () => {
    mock.on({
      when: () => true,
      reply: () => {
        throw new Error("script bug");
      },
    });

    const response = await post(messagesBody("hello"));

    expect(response.status).toBe(500);
    expect((await json(response)).error.message).toContain("script bug");
  });

  it("records conversation requests and keeps side requests apart without using rules", async () => {
    mock.on({ when: lastUserTextIncludes("hello"), reply: replyText("once"), times: 1 });

    const title = await post(
      messagesBody("<session>\nhello\n</session>", { stream: false, output_config: { format: titleFormat } }),
    );
    const turn = await post(messagesBody("hello", { stream: false }));

    expect(JSON.parse((await json(title)).content[0].text)).toEqual({ title: "Mock title" });
    expect((await json(turn)).content[0].text).toBe("once");
    expect(mock.requests.map((request) => request.lastUserText)).toEqual(["hello"]);
    expect(mock.sideRequests).toHaveLength(1);
    expect(mock.sideRequests[0]?.isSideRequest).toBe(true);
    expect(mock.requests[0]?.headers["x-api-key"]).toBe("k");
  });

  it("forgets rules and requests on reset", async () => {
    mock.on({ when: () => true, reply: replyText("scripted") });
    await (await post(messagesBody("one"))).text();

    mock.reset();
    const response = await post(messagesBody("two", { stream: false }));

    expect((await json(response)).content[0].text).toBe('mock: no rule for "two"');
    expect(mock.requests.map((request) => request.lastUserText)).toEqual(["two"]);
  });

  it("waits delayMs before answering", async () => {
    mock.on({ when: () => true, reply: { text: "late", delayMs: 150 } });

    const started = performance.now();
    await (await post(messagesBody("hello"))).text();

    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("leaves a hanging answer open until close() ends it", async () => {
    mock.on({ when: () => true, reply: { hang: true } });

    const pending = post(messagesBody("wait"));
    await mock.waitForRequest(lastUserTextIncludes("wait"));
    await mock.close();

    await expect(pending).rejects.toThrow();
  });

  it("answers HEAD /, count_tokens, models, and 404 for unknown paths", async () => {
    const head = await fetch(`${mock.url}/`, { method: "HEAD" });
    const count = await post(messagesBody("count me"), "/v1/messages/count_tokens?beta=true");
    const models = await fetch(`${mock.url}/v1/models`);
    const unknown = await fetch(`${mock.url}/v1/nothing`);

    expect(head.status).toBe(200);
    expect((await json(count)).input_tokens).toBeGreaterThan(0);
    expect((await json(models)).data[0].type).toBe("model");
    expect(unknown.status).toBe(404);
    expect(await json(unknown)).toMatchObject({ type: "error", error: { type: "not_found_error" } });
    expect(mock.requests).toHaveLength(0);
  });

  it("refuses a body that is not JSON with 400 invalid_request_error", async () => {
    const response = await post("{not json");

    expect(response.status).toBe(400);
    expect((await json(response)).error.type).toBe("invalid_request_error");
  });
});

describe("waitForRequest", () => {
  it("resolves with a request that already arrived", async () => {
    await (await post(messagesBody("early"))).text();

    const request = await mock.waitForRequest(lastUserTextIncludes("early"));

    expect(request.lastUserText).toBe("early");
  });

  it("resolves when a matching request arrives later", async () => {
    const waiting = mock.waitForRequest(lastUserTextIncludes("later"));
    await (await post(messagesBody("something else"))).text();
    await (await post(messagesBody("later"))).text();

    expect((await waiting).lastUserText).toBe("later");
  });

  it("rejects after the timeout, listing what arrived", async () => {
    await (await post(messagesBody("unrelated"))).text();

    await expect(mock.waitForRequest(lastUserTextIncludes("never"), 20)).rejects.toThrow(
      /no request matched within 20 ms \(1 arrived, last user texts: "unrelated"\)/,
    );
  });

  it("rejects pending waits when the server closes", async () => {
    const waiting = mock.waitForRequest(() => true);
    await mock.close();

    await expect(waiting).rejects.toThrow(/server closed/);
  });

  it("waits for side requests separately", async () => {
    const waiting = mock.waitForSideRequest(() => true);
    await (
      await post(messagesBody("<session>x</session>", { output_config: { format: titleFormat } }))
    ).text();

    expect((await waiting).isSideRequest).toBe(true);
  });
});
