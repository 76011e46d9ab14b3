import { createInterface } from "node:readline";
import { ATTACH_DETACH_BYTE, type Task } from "@cca/core";
import type { AttachConnection } from "./attach-client.js";

/** Where a transcript attach reads lines from and writes the transcript to. */
export interface TranscriptIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  /** Ends the attach from outside (Ctrl-C); the agent goes on. */
  signal?: AbortSignal;
  /** How an answer is shown; default: its result, or its error. */
  renderAnswer?: (task: Task) => string;
  /** `HH:MM:SS` of an event's time; default: the local time. */
  formatTime?: (at: string) => string;
}

/** How a transcript attach ended. */
export type TranscriptAttachEnd = { how: "detached" } | { how: "closed"; code: number; reason: string };

function defaultAnswer(task: Task): string {
  if (task.status === "completed") return task.result ?? "";
  return `${task.status}: ${task.error ? `${task.error.message} (${task.error.code})` : "no answer"}`;
}

function localTime(at: string): string {
  return new Date(at).toTimeString().slice(0, 8);
}

/**
 * Shows a headless agent's live transcript: its recent and new activity, one line per
 * event, and each answer in full. Each line typed is a turn for the agent (queued while it
 * is busy). Ctrl-D, Ctrl-C or Ctrl-] detaches; the agent goes on.
 */
export async function runTranscriptAttach(
  connection: AttachConnection,
  io: TranscriptIo,
): Promise<TranscriptAttachEnd> {
  const renderAnswer = io.renderAnswer ?? defaultAnswer;
  const formatTime = io.formatTime ?? localTime;
  const interactive = io.stdin.isTTY === true;
  const lines = createInterface({
    input: io.stdin,
    output: interactive ? io.stdout : undefined,
    terminal: interactive,
  });
  let detached = false;
  const detach = () => {
    if (detached) return;
    detached = true;
    connection.close();
  };
  /** Writes above the prompt, then puts the prompt (and what was typed so far) back. */
  const show = (text: string) => {
    if (interactive) io.stdout.write("\r\x1b[K");
    io.stdout.write(`${text}\n`);
    if (interactive) lines.prompt(true);
  };
  lines.setPrompt("> ");
  lines.on("line", (line) => {
    const message = line.trim();
    if (message.includes(String.fromCharCode(ATTACH_DETACH_BYTE))) return detach();
    if (message) connection.send({ type: "message", message });
    else if (interactive) lines.prompt();
  });
  lines.on("SIGINT", detach);
  lines.on("close", detach);
  io.stdin.on("data", (chunk: Buffer | string) => {
    if ((typeof chunk === "string" ? Buffer.from(chunk) : chunk).includes(ATTACH_DETACH_BYTE)) detach();
  });
  io.signal?.addEventListener("abort", detach, { once: true });
  try {
    if (interactive) lines.prompt();
    for await (const frame of connection.frames) {
      if (frame.type === "activity") show(`${formatTime(frame.event.at)}  ${frame.event.summary}`);
      else if (frame.type === "queued") show(`… queued as ${frame.task_id}`);
      else if (frame.type === "answer") show(`\n${renderAnswer(frame.task)}\n`);
      else if (frame.type === "error") show(`cca: ${frame.message}`);
    }
    const closed = await connection.closed;
    return detached ? { how: "detached" } : { how: "closed", code: closed.code, reason: closed.reason };
  } finally {
    io.signal?.removeEventListener("abort", detach);
    lines.close();
    io.stdin.pause();
    if (interactive) io.stdout.write("\n");
  }
}
