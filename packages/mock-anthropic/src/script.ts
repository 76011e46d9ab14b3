import { sampleForJsonSchema } from "./json-schema-sample.ts";
import type { MockReply, MockRule, MockUsage, RecordedRequest } from "./types.ts";

/**
 * A text answer.
 *
 * @example
 * mock.on({ when: lastUserTextIncludes("hello"), reply: replyText("hi there") });
 */
export function replyText(text: string, usage?: MockUsage): MockReply {
  return usage === undefined ? { text } : { text, usage };
}

/**
 * An answer that calls one tool (`stop_reason: "tool_use"`), optionally after some text.
 *
 * @example
 * mock.on({ when: lastUserTextIncludes("delegate"), reply: callTool("mcp__cca__cca_delegate", { task: "x" }) });
 * mock.on({ when: hasToolResult, reply: replyText("delegated") });
 */
export function callTool(name: string, input: Record<string, unknown>, text?: string): MockReply {
  const toolUses = [{ name, input }];
  return text === undefined ? { toolUses } : { text, toolUses };
}

/** An HTTP error answer, by default `500 api_error`. */
export function replyError(status = 500, type = "api_error", message = "mock: scripted error"): MockReply {
  return { error: { status, type, message } };
}

/** Matches requests whose last user text contains `text`. */
export function lastUserTextIncludes(text: string): (request: RecordedRequest) => boolean {
  return (request) => request.lastUserText.includes(text);
}

/** Matches requests whose last user message carries tool results (the turn after a tool call). */
export function hasToolResult(request: RecordedRequest): boolean {
  return request.toolResults.length > 0;
}

const ECHO_LIMIT = 80;

/** The answer when no rule matches: says so, so that a test fails visibly instead of hanging. */
export function noRuleReply(request: RecordedRequest): MockReply {
  const text = request.lastUserText;
  const shown = text.length > ECHO_LIMIT ? `${text.slice(0, ECHO_LIMIT)}…` : text;
  return { text: `mock: no rule for "${shown}"` };
}

/** The answer to a side request: JSON fitting the requested schema, else a short text. */
export function sideRequestReply(request: RecordedRequest): MockReply {
  const format = request.body?.output_config?.format;
  if (format?.type === "json_schema") return { text: JSON.stringify(sampleForJsonSchema(format.schema)) };
  return { text: "mock side reply" };
}

interface ActiveRule {
  rule: MockRule;
  remaining: number;
}

/** Rules in the order added; the first match with uses left answers. */
export class RuleBook {
  #rules: ActiveRule[] = [];

  add(rule: MockRule): void {
    this.#rules.push({ rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.#rules = [];
  }

  /** The reply of the first matching rule (using one of its turns), or undefined. */
  replyFor(request: RecordedRequest): MockReply | undefined {
    for (const active of this.#rules) {
      if (active.remaining <= 0) continue;
      if (!active.rule.when(request)) continue;
      active.remaining -= 1;
      const { reply } = active.rule;
      return typeof reply === "function" ? reply(request) : reply;
    }
    return undefined;
  }
}
