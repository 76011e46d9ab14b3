import type { Logger } from "@cca/core";
import type { PtySession, ViewerFrame } from "@cca/pty";
import type { WebSocket } from "ws";
import type { Orchestrator } from "../orchestrator/orchestrator.js";
import { type AttachSocket, parseIncoming, relayMessage } from "./attach-socket.js";

/** Most live output that may wait for one viewer before it is skipped ahead to a fresh screen. */
const VIEWER_BUFFER_BYTES = 1024 * 1024;

/**
 * Serves an interactive agent's terminal to one viewer: the current screen, then the live
 * output as binary frames; the viewer's binary frames are keystrokes, its `resize` frames
 * resize the terminal (the latest wins), its `message` frames become pinned tasks. Closing
 * the connection detaches the viewer; the agent goes on. Resolves when the connection ends.
 */
export async function serveTerminal(options: {
  webSocket: WebSocket;
  socket: AttachSocket;
  terminal: PtySession;
  agentId: string;
  orchestrator: Orchestrator;
  logger: Logger;
}): Promise<void> {
  const { webSocket, socket, terminal, agentId, orchestrator, logger } = options;
  // A viewer that falls behind skips to the current screen instead of being cut off.
  const viewer = terminal.attach({ onOverflow: "resync", maxBufferedBytes: VIEWER_BUFFER_BYTES });
  socket.closed.signal.addEventListener("abort", () => viewer.close(), { once: true });
  webSocket.on("message", (data, isBinary) => {
    const incoming = parseIncoming(data, isBinary);
    if (incoming.kind === "bad") {
      void socket.send({ type: "error", code: "bad_frame", message: incoming.message });
      return;
    }
    try {
      if (incoming.kind === "bytes") terminal.write(incoming.data);
      else if (incoming.frame.type === "resize") terminal.resize(incoming.frame.cols, incoming.frame.rows);
      else void relayMessage(socket, orchestrator, agentId, incoming.frame.message, () => {});
    } catch (error) {
      void socket.send({
        type: "error",
        code: "write_failed",
        message: `Agent ${agentId}'s terminal did not take it: ${(error as Error).message}`,
      });
    }
  });
  for await (const frame of viewer) {
    if (!(await sendFrame(socket, frame))) break;
  }
  const reason = viewer.closeReason;
  logger.debug("an attach viewer left", { agent: agentId, reason: reason?.code });
  if (reason?.code === "exited") socket.close(1000, `Agent ${agentId}'s process ended: ${reason.message}`);
  else if (reason && reason.code !== "detached") socket.close(1011, reason.message);
}

function sendFrame(socket: AttachSocket, frame: ViewerFrame): Promise<boolean> {
  switch (frame.type) {
    case "screen":
      return socket.send({
        type: "screen",
        data: frame.data,
        cols: frame.cols,
        rows: frame.rows,
        cursor: { x: frame.cursor.x, y: frame.cursor.y },
      });
    case "output":
      return socket.sendBytes(frame.data);
    case "resize":
      return socket.send({ type: "resize", cols: frame.cols, rows: frame.rows });
    case "exit":
      return socket.send({ type: "exit", code: frame.code, signal: frame.signal });
  }
}
