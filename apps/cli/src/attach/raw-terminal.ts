import { ATTACH_DETACH_BYTE } from "@cca/core";
import type { AttachConnection } from "./attach-client.js";

/** The terminal `cca agent attach` runs in: its input (put in raw mode) and its output. */
export interface AttachTerminalIo {
  stdin: NodeJS.ReadableStream & {
    isTTY?: boolean;
    setRawMode?(mode: boolean): unknown;
    isRaw?: boolean;
  };
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };
  /** Ends the attach from outside (SIGTERM, SIGHUP); the terminal is restored all the same. */
  signal?: AbortSignal;
}

/** How a terminal attach ended. */
export type TerminalAttachEnd =
  | { how: "detached" }
  | { how: "exited"; code: number | null; signal: string | null }
  | { how: "closed"; code: number; reason: string };

const ESC = String.fromCharCode(0x1b);
const BEL = String.fromCharCode(0x07);

/**
 * What the viewer's own terminal answers to queries it sees in the agent's output (cursor
 * position, device attributes, colours). The daemon's emulator answers the agent already, so
 * these are dropped rather than typed into the agent a second time.
 */
const TERMINAL_REPLIES = [
  new RegExp(`${ESC}\\[\\d+;\\d+R`, "g"), // cursor position report
  new RegExp(`${ESC}\\[[?>][\\d;]*c`, "g"), // primary and secondary device attributes
  new RegExp(`${ESC}\\][0-9]+;rgb:[0-9a-fA-F/]+(?:${BEL}|${ESC}\\\\)`, "g"), // colour queries
];

/**
 * Modes an agent's program may have left the viewer's terminal in, undone on detach: attributes,
 * cursor shown, bracketed paste, mouse reporting, focus events, alternate screen.
 */
const RESTORE_TERMINAL =
  "\x1b[0m\x1b[?25h\x1b[?2004l\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1004l\x1b[?1049l";

/** Clears the viewer's screen and homes the cursor before a screen frame is drawn. */
const CLEAR_SCREEN = "\x1b[H\x1b[2J";

function withoutTerminalReplies(data: Buffer): Buffer {
  if (!data.includes(0x1b)) return data;
  let text = data.toString("latin1");
  for (const reply of TERMINAL_REPLIES) text = text.replace(reply, "");
  return Buffer.from(text, "latin1");
}

/**
 * Sits in an interactive agent's terminal: the viewer's TTY goes into raw mode, every
 * keystroke goes to the agent (Ctrl-C included), window resizes follow, and Ctrl-] detaches,
 * leaving the agent running. The TTY is restored however it ends: detach, the agent's exit,
 * the daemon closing the stream, `signal`, or an error.
 */
export async function runTerminalAttach(
  connection: AttachConnection,
  io: AttachTerminalIo,
): Promise<TerminalAttachEnd> {
  const { stdin, stdout } = io;
  let end: TerminalAttachEnd | null = null;
  const wasRaw = stdin.isRaw === true;
  const restore = () => {
    stdin.off("data", onInput);
    stdout.off("resize", onResize);
    io.signal?.removeEventListener("abort", onAbort);
    process.off("exit", restore);
    if (stdin.isTTY) stdin.setRawMode?.(wasRaw);
    stdin.pause();
    stdout.write(RESTORE_TERMINAL);
  };
  const detach = () => {
    end ??= { how: "detached" };
    connection.close();
  };
  const onInput = (chunk: Buffer | string) => {
    const data = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    const detachAt = data.indexOf(ATTACH_DETACH_BYTE);
    const typed = detachAt === -1 ? data : data.subarray(0, detachAt);
    connection.sendBytes(withoutTerminalReplies(typed));
    if (detachAt !== -1) detach();
  };
  const onResize = () => {
    if (stdout.columns && stdout.rows)
      connection.send({ type: "resize", cols: stdout.columns, rows: stdout.rows });
  };
  const onAbort = () => detach();

  if (stdin.isTTY) stdin.setRawMode?.(true);
  // A process that exits without the finally below (process.exit elsewhere) still gets its TTY back.
  process.once("exit", restore);
  try {
    stdin.on("data", onInput);
    stdin.resume();
    stdout.on("resize", onResize);
    if (io.signal?.aborted) detach();
    io.signal?.addEventListener("abort", onAbort, { once: true });
    onResize();
    for await (const frame of connection.frames) {
      if (frame.type === "bytes") stdout.write(frame.data);
      else if (frame.type === "screen") stdout.write(`${CLEAR_SCREEN}${frame.data}`);
      else if (frame.type === "exit") end ??= { how: "exited", code: frame.code, signal: frame.signal };
      else if (frame.type === "error") stdout.write(`\r\n[cca: ${frame.message}]\r\n`);
    }
    const closed = await connection.closed;
    return end ?? { how: "closed", code: closed.code, reason: closed.reason };
  } finally {
    restore();
  }
}
