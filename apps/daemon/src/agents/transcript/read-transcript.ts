import { open } from "node:fs/promises";
import { emptyUsage, type TokenUsage } from "@cca/core";
import { parseTranscript, sumUsage } from "./parse-transcript.js";

/** The whole lines of a transcript from a byte offset on, and where the next read starts. */
export interface TranscriptChunk {
  /** Complete lines only: a line Claude Code is still writing waits for the next read. */
  text: string;
  /** The byte offset just after `text`: pass it to the next read for only what comes later. */
  nextOffset: number;
  /** The offset was past the end (the file was replaced by a shorter one), so this read started over at 0. */
  restarted: boolean;
}

const NEWLINE = 0x0a;

/**
 * Reads what a transcript holds after byte `offset` (0: all of it), up to its last complete
 * line; null when there is no such file (yet). Claude Code only appends, so the chunks of
 * successive reads, each from the `nextOffset` of the one before, are the whole file.
 * @example
 * const chunk = await readTranscriptFrom(path, cursor);
 * if (chunk) { show(parseTranscript(chunk.text)); cursor = chunk.nextOffset; }
 */
export async function readTranscriptFrom(path: string, offset = 0): Promise<TranscriptChunk | null> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new Error(`Could not read the transcript ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const { size } = await file.stat();
    const restarted = offset > size;
    const start = restarted ? 0 : offset;
    const buffer = Buffer.alloc(size - start);
    let read = 0;
    while (read < buffer.length) {
      const { bytesRead } = await file.read(buffer, read, buffer.length - read, start + read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    const complete = buffer.subarray(0, buffer.subarray(0, read).lastIndexOf(NEWLINE) + 1);
    return { text: complete.toString("utf8"), nextOffset: start + complete.length, restarted };
  } finally {
    await file.close();
  }
}

/**
 * The tokens of the model responses written to a transcript after byte `offset` (for example
 * during one turn of an interactive agent, which reports no usage of its own); zero when the
 * file is missing. `cost_usd` is 0: the transcript has no cost.
 */
export async function transcriptUsageSince(path: string, offset: number): Promise<TokenUsage> {
  const chunk = await readTranscriptFrom(path, offset);
  return chunk ? sumUsage(parseTranscript(chunk.text)) : emptyUsage();
}
