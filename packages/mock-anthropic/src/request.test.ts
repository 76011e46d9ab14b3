import { describe, expect, it } from "vitest";
import { parseRecordedRequest, stripSystemReminders } from "./request.ts";

const origin = { path: "/v1/messages?beta=true", headers: {} };
const reminder = "<system-reminder>\nToday's date is 2026-01-01.\n</system-reminder>\n\n";

// Shaped like the requests Claude Code 2.1.197 sends (trimmed).
function conversationBody(messages: unknown[]) {
  return {
    model: "claude-opus-4-8",
    max_tokens: 64000,
    stream: true,
    system: [
      { type: "text", text: "x-anthropic-billing-header: cc_version=2.1.197;" },
      { type: "text", text: "You are a Claude agent.", cache_control: { type: "ephemeral" } },
    ],
    tools: [{ name: "Bash" }, { name: "mcp__cca__cca_delegate" }],
    output_config: { effort: "high" },
    messages,
  };
}

describe("stripSystemReminders", () => {
  it("removes reminder sections, including an unclosed one, and trims", () => {
    expect(stripSystemReminders(`${reminder}hello <system-reminder>cut off`)).toBe("hello");
  });
});

describe("parseRecordedRequest", () => {
  it("reads the last user text without reminders, skipping role system messages", () => {
    const request = parseRecordedRequest(
      conversationBody([
        {
          role: "user",
          content: [
            { type: "text", text: reminder },
            { type: "text", text: "hello", cache_control: { type: "ephemeral" } },
          ],
        },
        { role: "system", content: "Available agent types for the Agent tool: ..." },
      ]),
      origin,
    );

    expect(request.lastUserText).toBe("hello");
    expect(request.allUserText).toEqual(["hello"]);
    expect(request.toolNames).toEqual(["Bash", "mcp__cca__cca_delegate"]);
    expect(request.systemText).toBe(
      "x-anthropic-billing-header: cc_version=2.1.197;\nYou are a Claude agent.",
    );
    expect(request.isSideRequest).toBe(false);
    expect(request.path).toBe("/v1/messages?beta=true");
  });

  it("lists every user text in order and accepts string content", () => {
    const request = parseRecordedRequest(
      conversationBody([
        {
          role: "user",
          content: [
            { type: "text", text: reminder },
            { type: "text", text: "first" },
          ],
        },
        { role: "assistant", content: [{ type: "text", text: "answer" }] },
        { role: "user", content: "second" },
      ]),
      origin,
    );

    expect(request.allUserText).toEqual(["first", "second"]);
    expect(request.lastUserText).toBe("second");
  });

  it("collects the tool results of the last user message, flattening block content", () => {
    const request = parseRecordedRequest(
      conversationBody([
        { role: "user", content: "run it" },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "Bash", input: {} }] },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_1", content: "hi", is_error: false },
            {
              type: "tool_result",
              tool_use_id: "toolu_2",
              content: [
                { type: "text", text: "line 1" },
                { type: "text", text: "line 2" },
              ],
              is_error: true,
            },
            { type: "tool_result", tool_use_id: "toolu_3" },
          ],
        },
      ]),
      origin,
    );

    expect(request.toolResults).toEqual([
      { tool_use_id: "toolu_1", content: "hi", is_error: false },
      { tool_use_id: "toolu_2", content: "line 1\nline 2", is_error: true },
      { tool_use_id: "toolu_3", content: "", is_error: false },
    ]);
    expect(request.lastUserText).toBe("");
    expect(request.allUserText).toEqual(["run it"]);
  });

  it("flags the session-title call (structured output, no tools) as a side request", () => {
    const request = parseRecordedRequest(
      {
        ...conversationBody([
          { role: "user", content: [{ type: "text", text: "<session>\nhello\n</session>" }] },
        ]),
        tools: [],
        output_config: {
          effort: "high",
          format: {
            type: "json_schema",
            schema: { type: "object", properties: { title: { type: "string" } } },
          },
        },
      },
      origin,
    );

    expect(request.isSideRequest).toBe(true);
  });

  it("flags a quota probe as a side request", () => {
    const request = parseRecordedRequest(
      { model: "m", max_tokens: 1, messages: [{ role: "user", content: "quota" }] },
      origin,
    );

    expect(request.isSideRequest).toBe(true);
  });

  it("tolerates a body that is not a Messages request", () => {
    const request = parseRecordedRequest("not an object", origin);

    expect(request).toMatchObject({
      lastUserText: "",
      allUserText: [],
      toolNames: [],
      toolResults: [],
      systemText: "",
    });
  });
});
