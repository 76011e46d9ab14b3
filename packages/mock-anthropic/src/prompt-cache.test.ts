import { describe, expect, it } from "vitest";
import { PromptCache } from "./prompt-cache.ts";

const BIG = "x".repeat(8_000); // about 2,000 tokens: above the API's minimum
const ephemeral = { type: "ephemeral" };

/** A request like Claude Code's: tools, a system prompt with breakpoints, the conversation's last block marked. */
function request(system: string, turns: string[]) {
  return {
    tools: [{ name: "Read", description: BIG }],
    system: [
      { type: "text", text: "You are Claude Code." },
      { type: "text", text: system, cache_control: ephemeral },
    ],
    messages: turns.map((text, index) => ({
      role: index % 2 === 0 ? "user" : "assistant",
      content: [{ type: "text", text, ...(index === turns.length - 1 ? { cache_control: ephemeral } : {}) }],
    })),
  };
}

describe("PromptCache", () => {
  it("writes a new prefix, then reads it back, and writes only what follows it", () => {
    let now = 0;
    const cache = new PromptCache(() => now);
    const first = cache.account(request("rules", ["hello"]), 10_000);
    expect(first.read).toBe(0);
    expect(first.written.fiveMinute).toBeGreaterThan(2_000);
    // The same conversation one exchange on: the old prefix is read, the new turns written.
    now += 1_000;
    const second = cache.account(request("rules", ["hello", "hi", BIG]), 10_000);
    expect(second.read).toBe(first.written.fiveMinute);
    expect(second.written.fiveMinute).toBeGreaterThan(1_900);
    expect(second.written.oneHour).toBe(0);
  });

  it("reads nothing past a change early in the prompt, and nothing once the lifetime passed", () => {
    let now = 0;
    const cache = new PromptCache(() => now);
    cache.account(request("rules", ["hello"]), 10_000);
    // Another system prompt: its breakpoint's prefix differs, and so does everything after.
    expect(cache.account(request("rules, and the time is 10:01", ["hello"]), 10_000).read).toBe(0);
    now += 5 * 60_000 + 1;
    expect(cache.account(request("rules", ["hello"]), 10_000).read).toBe(0);
  });

  it("caches no prefix under 1,024 tokens, and keeps a one-hour breakpoint an hour", () => {
    let now = 0;
    const cache = new PromptCache(() => now);
    const small = { system: [{ type: "text", text: "short", cache_control: ephemeral }], messages: [] };
    expect(cache.account(small, 100)).toEqual({ read: 0, written: { fiveMinute: 0, oneHour: 0 } });
    const hour = {
      system: [{ type: "text", text: BIG, cache_control: { type: "ephemeral", ttl: "1h" } }],
      messages: [],
    };
    expect(cache.account(hour, 5_000).written.oneHour).toBeGreaterThan(2_000);
    now += 30 * 60_000;
    expect(cache.account(hour, 5_000).read).toBeGreaterThan(2_000);
  });
});
