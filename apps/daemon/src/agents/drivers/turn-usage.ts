import { setTimeout as sleep } from "node:timers/promises";
import type { TokenUsage } from "@cca/core";
import { parseTranscript, readTranscriptFrom, sumUsage } from "../transcript/index.js";

const POLL_MS = 25;

/**
 * The tokens of one interactive turn, from what Claude Code appended to its transcript
 * since `offset`. The TUI writes its transcript in batches, about 100 ms after the Stop
 * hook, so with `untilTurnEnd` this waits (up to `deadlineMs`) for the turn's closing
 * `turn_duration` line; what is there by then counts.
 */
export async function interactiveTurnUsage(
  path: string,
  offset: number,
  options: { untilTurnEnd: boolean; deadlineMs?: number },
): Promise<TokenUsage> {
  const deadline = Date.now() + (options.deadlineMs ?? 3_000);
  for (;;) {
    const chunk = await readTranscriptFrom(path, offset);
    const entries = chunk ? parseTranscript(chunk.text) : [];
    const ended = entries.some((entry) => entry.kind === "turn_end");
    if (ended || !options.untilTurnEnd || Date.now() >= deadline) return sumUsage(entries);
    await sleep(POLL_MS);
  }
}
