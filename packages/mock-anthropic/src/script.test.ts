import { describe, expect, it } from "vitest";
import { sampleForJsonSchema } from "./json-schema-sample.ts";
import { parseRecordedRequest } from "./request.ts";
import {
  callTool,
  hasToolResult,
  lastUserTextIncludes,
  noRuleReply,
  RuleBook,
  replyError,
  replyText,
  sideRequestReply,
} from "./script.ts";

function requestSaying(text: string) {
  return parseRecordedRequest(
    { messages: [{ role: "user", content: text }] },
    { path: "/v1/messages", headers: {} },
  );
}

describe("RuleBook", () => {
  it("answers with the first matching rule in the order added", () => {
    const rules = new RuleBook();
    rules.add({ when: lastUserTextIncludes("hello"), reply: replyText("first") });
    rules.add({ when: () => true, reply: replyText("catch-all") });

    expect(rules.replyFor(requestSaying("hello there"))).toEqual({ text: "first" });
    expect(rules.replyFor(requestSaying("bye"))).toEqual({ text: "catch-all" });
  });

  it("stops using a rule after its times, falling through to later rules", () => {
    const rules = new RuleBook();
    rules.add({ when: () => true, reply: replyText("once"), times: 1 });
    rules.add({ when: () => true, reply: replyText("afterwards") });

    expect(rules.replyFor(requestSaying("a"))?.text).toBe("once");
    expect(rules.replyFor(requestSaying("b"))?.text).toBe("afterwards");
  });

  it("calls a reply function with the request and returns undefined when nothing matches", () => {
    const rules = new RuleBook();
    rules.add({
      when: lastUserTextIncludes("echo"),
      reply: (request) => replyText(request.lastUserText.toUpperCase()),
    });

    expect(rules.replyFor(requestSaying("echo me"))?.text).toBe("ECHO ME");
    expect(rules.replyFor(requestSaying("other"))).toBeUndefined();
  });
});

describe("reply helpers", () => {
  it("builds text, tool call and error replies", () => {
    expect(replyText("hi", { input_tokens: 5, output_tokens: 2 })).toEqual({
      text: "hi",
      usage: { input_tokens: 5, output_tokens: 2 },
    });
    expect(callTool("Read", { file_path: "/x" })).toEqual({
      toolUses: [{ name: "Read", input: { file_path: "/x" } }],
    });
    expect(replyError(529, "overloaded_error", "busy")).toEqual({
      error: { status: 529, type: "overloaded_error", message: "busy" },
    });
  });

  it("tells tool-result turns apart", () => {
    const withResult = parseRecordedRequest(
      { messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: "ok" }] }] },
      { path: "/v1/messages", headers: {} },
    );

    expect(hasToolResult(withResult)).toBe(true);
    expect(hasToolResult(requestSaying("plain"))).toBe(false);
  });

  it("says which text had no rule, truncated", () => {
    expect(noRuleReply(requestSaying("hello")).text).toBe('mock: no rule for "hello"');
    expect(noRuleReply(requestSaying("y".repeat(200))).text).toBe(`mock: no rule for "${"y".repeat(80)}…"`);
  });

  it("answers a structured-output side request with JSON that fits its schema", () => {
    const request = parseRecordedRequest(
      {
        output_config: {
          format: {
            type: "json_schema",
            schema: { type: "object", properties: { title: { type: "string" } }, required: ["title"] },
          },
        },
        messages: [{ role: "user", content: "<session>hi</session>" }],
      },
      { path: "/v1/messages", headers: {} },
    );

    expect(JSON.parse(sideRequestReply(request).text ?? "")).toEqual({ title: "Mock title" });
  });
});

describe("sampleForJsonSchema", () => {
  it("fills objects, arrays, enums, consts, numbers and booleans", () => {
    const schema = {
      type: "object",
      properties: {
        kind: { enum: ["a", "b"] },
        fixed: { const: 7 },
        count: { type: "integer", minimum: 2 },
        done: { type: "boolean" },
        tags: { type: "array", items: { type: "string" }, minItems: 1 },
        either: { anyOf: [{ type: "null" }, { type: "string" }] },
      },
    };

    expect(sampleForJsonSchema(schema)).toEqual({
      kind: "a",
      fixed: 7,
      count: 2,
      done: false,
      tags: ["Mock tags"],
      either: null,
    });
  });
});
