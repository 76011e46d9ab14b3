import {
  type AttachClientFrame,
  type AttachServerFrame,
  AttachServerFrameSchema,
  agentAttachPath,
  CcaError,
} from "@cca/core";
import { WebSocket } from "ws";

/** The part of a WHATWG WebSocket (the `ws` package's, or Node 22's global) the attach client uses. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open", listener: () => void): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(type: "close", listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: "error", listener: (event: unknown) => void): void;
}

/** Makes a WebSocket; `headers` carries the access token. */
export type WebSocketFactory = (url: string, headers: Record<string, string>) => WebSocketLike;

/** What an attach connection hands its reader: the daemon's control frames, and the terminal's bytes. */
export type AttachIncoming = AttachServerFrame | { type: "bytes"; data: Uint8Array };

/** How the stream ended: the close code and reason the daemon (or the client) gave. */
export interface AttachClosed {
  code: number;
  reason: string;
}

/** The daemon's first frame: which agent, and whether it is a terminal or a transcript. */
export type AttachHello = Extract<AttachServerFrame, { type: "hello" }>;

/** One open attach stream (see docs/agent-attach.md). */
export interface AttachConnection {
  readonly hello: AttachHello;
  /** The frames after `hello`, in order, until the stream closes. */
  frames: AsyncIterable<AttachIncoming>;
  /** Keystrokes for an interactive agent's terminal. */
  sendBytes(data: Uint8Array): void;
  send(frame: AttachClientFrame): void;
  /** Leaves the agent (it keeps running). */
  close(): void;
  /** Resolves once the stream has closed, from either side. */
  readonly closed: Promise<AttachClosed>;
}

export interface ConnectAttachOptions {
  /** The daemon's HTTP URL, e.g. `http://127.0.0.1:9200`. */
  baseUrl: string;
  token: string | undefined;
  agentId: string;
  /** Default: the `ws` package's client. */
  createWebSocket?: WebSocketFactory;
}

/** A close code the client uses for its own detach. */
const NORMAL_CLOSURE = 1000;

/**
 * Opens the attach stream of one agent: resolves once connected, and parses every text
 * frame with the protocol's schema (a frame that does not parse ends the stream).
 * @example
 * const connection = await connectAgentAttach({ baseUrl, token, agentId });
 * connection.send({ type: "message", message: "Run the tests" });
 * for await (const frame of connection.frames) if (frame.type === "answer") break;
 * connection.close();
 */
export async function connectAgentAttach(options: ConnectAttachOptions): Promise<AttachConnection> {
  const url = new URL(agentAttachPath(options.agentId), options.baseUrl.replace(/^http/, "ws"));
  const createWebSocket = options.createWebSocket ?? defaultWebSocketFactory();
  const socket = createWebSocket(
    url.toString(),
    options.token ? { authorization: `Bearer ${options.token}` } : {},
  );
  socket.binaryType = "arraybuffer";
  const queue: AttachIncoming[] = [];
  let wake: (() => void) | null = null;
  let ended: AttachClosed | null = null;
  let resolveClosed!: (closed: AttachClosed) => void;
  const closed = new Promise<AttachClosed>((resolve) => {
    resolveClosed = resolve;
  });
  const end = (closing: AttachClosed) => {
    if (ended) return;
    ended = closing;
    resolveClosed(closing);
    wake?.();
  };
  const opened = new Promise<void>((resolve, reject) => {
    socket.addEventListener("open", () => resolve());
    socket.addEventListener("error", () =>
      reject(
        new CcaError(
          "daemon_unreachable",
          `Could not open the attach stream at ${url.origin}${url.pathname}: is the daemon running (\`cca daemon status\`), and is the agent live (\`cca agent list\`)?`,
        ),
      ),
    );
  });
  socket.addEventListener("message", ({ data }) => {
    if (ended) return;
    if (typeof data !== "string") {
      queue.push({ type: "bytes", data: new Uint8Array(data as ArrayBuffer) });
    } else {
      const parsed = AttachServerFrameSchema.safeParse(safeJson(data));
      if (!parsed.success) {
        socket.close(1002, "unexpected frame");
        end({
          code: 1002,
          reason: `The daemon sent a frame this cca does not understand: ${data.slice(0, 200)}`,
        });
        return;
      }
      queue.push(parsed.data);
    }
    wake?.();
  });
  socket.addEventListener("close", ({ code, reason }) => end({ code, reason }));
  await opened;

  async function* frames(): AsyncGenerator<AttachIncoming> {
    for (;;) {
      const next = queue.shift();
      if (next) {
        yield next;
        continue;
      }
      if (ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = null;
    }
  }

  const stream = frames();
  const first = await stream.next();
  if (first.done || first.value.type !== "hello") {
    socket.close(1002, "no hello");
    const closing = await closed;
    throw new CcaError(
      "internal",
      `The daemon did not start the attach stream${closing.reason ? `: ${closing.reason}` : ""}`,
    );
  }
  return {
    hello: first.value,
    frames: stream,
    sendBytes: (data) => {
      if (!ended && data.length > 0) socket.send(data);
    },
    send: (frame) => {
      if (!ended) socket.send(JSON.stringify(frame));
    },
    close: () => {
      socket.close(NORMAL_CLOSURE, "detached");
      end({ code: NORMAL_CLOSURE, reason: "detached" });
    },
    closed,
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The `ws` package's client: the same on every Node version (Node 20 has no global WebSocket). */
function defaultWebSocketFactory(): WebSocketFactory {
  return (url, headers) => new WebSocket(url, { headers }) as unknown as WebSocketLike;
}
