import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readTranscriptFrom, transcriptUsageSince } from "./read-transcript.js";

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cca-read-transcript-"));
  path = join(dir, "session.jsonl");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("readTranscriptFrom", () => {
  it("answers null for a transcript not written yet", async () => {
    expect(await readTranscriptFrom(path)).toBeNull();
  });

  it("reads only what was appended after the offset", async () => {
    writeFileSync(path, '{"a":1}\n');
    const first = await readTranscriptFrom(path);
    appendFileSync(path, '{"b":"é"}\n');

    const second = await readTranscriptFrom(path, first!.nextOffset);

    expect(first).toEqual({ text: '{"a":1}\n', nextOffset: 8, restarted: false });
    expect(second).toEqual({
      text: '{"b":"é"}\n',
      nextOffset: 8 + Buffer.byteLength('{"b":"é"}\n'),
      restarted: false,
    });
  });

  it("leaves a line still being written for the next read", async () => {
    writeFileSync(path, '{"a":1}\n{"b":');
    const first = await readTranscriptFrom(path);
    appendFileSync(path, "2}\n");

    const second = await readTranscriptFrom(path, first!.nextOffset);

    expect(first?.text).toBe('{"a":1}\n');
    expect(second?.text).toBe('{"b":2}\n');
  });

  it("starts over when the offset is past the end of a replaced file", async () => {
    writeFileSync(path, '{"new":1}\n');
    expect(await readTranscriptFrom(path, 500)).toEqual({
      text: '{"new":1}\n',
      nextOffset: 10,
      restarted: true,
    });
  });

  it("sums the usage of the responses written after the offset, each message once", async () => {
    const assistant = (id: string, text: string, tokens: number) =>
      `${JSON.stringify({ type: "assistant", message: { id, content: [{ type: "text", text }], usage: { input_tokens: tokens, output_tokens: 1 } } })}\n`;
    writeFileSync(path, assistant("msg_old", "before", 1000));
    const offset = (await readTranscriptFrom(path))!.nextOffset;
    appendFileSync(
      path,
      assistant("msg_a", "one", 10) + assistant("msg_a", "two", 10) + assistant("msg_b", "three", 5),
    );

    expect(await transcriptUsageSince(path, offset)).toEqual({
      input_tokens: 15,
      output_tokens: 2,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      cost_usd: 0,
    });
    expect((await transcriptUsageSince(join(dir, "missing.jsonl"), 0)).input_tokens).toBe(0);
  });
});
