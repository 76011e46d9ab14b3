import { closeReason } from "@cca/acp/ws";
import {
  type AttachClientFrame,
  AttachClientFrameSchema,
  type AttachServerFrame,
  type Logger,
  toCcaError,
} from "@cca/core";
import type { RawData, WebSocket } from "ws";
import type { Orchestrator } from "../orchestrator/orchestrator.js";

/** What a client sent: bytes for the terminal, or a control frame (parsed; a bad one is an error frame). */
export type IncomingFrame =
  | { kind: "bytes"; data: Buffer }
  | { kind: "control"; frame: AttachClientFrame }
  | { kind: "bad"; message: string };

/** Parses one WebSocket message of an attach client with the protocol's schema. */
export function parseIncoming(data: RawData, isBinary: boolean): IncomingFrame {
  const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
  if (isBinary) return { kind: "bytes", data: buffer };
  let raw: unknown;
  try {
    raw = JSON.parse(buffer.toString("utf8"));
  } catch (error) {
    return { kind: "bad", message: `A text frame must be JSON: ${(error as Error).message}` };
  }
  const parsed = AttachClientFrameSchema.safeParse(raw);
  if (parsed.success) return { kind: "control", frame: parsed.data };
  const problems = parsed.error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ");
  return {
    kind: "bad",
    message: `Not an attach frame (${problems}); send {"type":"resize","cols","rows"}, {"type":"message","message"} or binary keystrokes`,
  };
}

/**
 * One attach connection's way out: frames sent in order, each awaited until the socket took
 * it (so a slow client holds back its own stream, never the agent), and one close.
 */
export class AttachSocket {
  readonly #socket: WebSocket;
  readonly #logger: Logger;
  /** Aborted when the connection closes, from either side. */
  readonly closed = new AbortController();

  constructor(socket: WebSocket, logger: Logger) {
    this.#socket = socket;
    this.#logger = logger;
    socket.once("close", () => this.closed.abort());
  }

  get isOpen(): boolean {
    return !this.closed.signal.aborted && this.#socket.readyState === this.#socket.OPEN;
  }

  /** Sends a control frame (JSON text); resolves false when the connection is gone. */
  send(frame: AttachServerFrame): Promise<boolean> {
    return this.#write(JSON.stringify(frame), false);
  }

  /** Sends terminal output (a binary frame); resolves false when the connection is gone. */
  sendBytes(data: string): Promise<boolean> {
    return this.#write(Buffer.from(data, "utf8"), true);
  }

  /** Closes the connection with `code` and a reason (cut to what a close frame holds). */
  close(code: number, reason: string): void {
    if (this.#socket.readyState === this.#socket.CLOSED || this.#socket.readyState === this.#socket.CLOSING)
      return;
    this.#socket.close(code, closeReason(reason));
  }

  #write(data: string | Buffer, binary: boolean): Promise<boolean> {
    if (!this.isOpen) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.#socket.send(data, { binary }, (error) => {
        if (error) this.#logger.debug("an attach frame was not sent", { error: error.message });
        resolve(!error);
      });
    });
  }
}

/**
 * Turns a `message` frame into a task pinned to the agent, tells the client its id, and
 * later its answer: the same path as `POST /agents/:id/messages`.
 */
export async function relayMessage(
  socket: AttachSocket,
  orchestrator: Orchestrator,
  agentId: string,
  message: string,
  onTask: (taskId: string) => void,
): Promise<void> {
  let taskId: string;
  try {
    const task = await orchestrator.submit({ description: message, priority: "normal", agentId });
    taskId = task.id;
  } catch (error) {
    await socket.send({ type: "error", code: "message_failed", message: toCcaError(error).message });
    return;
  }
  onTask(taskId);
  await socket.send({ type: "queued", task_id: taskId, message });
  const { task, timedOut } = await orchestrator.waitFor(
    taskId,
    Number.POSITIVE_INFINITY,
    socket.closed.signal,
  );
  if (!timedOut) await socket.send({ type: "answer", task });
}
