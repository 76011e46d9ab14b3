import { z } from "zod";
import { ActivityEventSchema, AgentDriverKindSchema, TaskSchema } from "./schemas.js";

/**
 * The attach stream of one agent (`cca agent attach`): a WebSocket at
 * `GET /api/v1/agents/:id/attach`, authenticated like every daemon request (the access token
 * as `Authorization: Bearer`, or the `token` query parameter). Control frames are JSON text
 * frames, parsed with the schemas below on both sides; a terminal's bytes are binary frames,
 * both ways. See docs/agent-attach.md.
 */
export function agentAttachPath(agentId: string): string {
  return `/api/v1/agents/${encodeURIComponent(agentId)}/attach`;
}

/** The path pattern `agentAttachPath` builds, for a server matching upgrade requests. */
export const AGENT_ATTACH_PATH_PATTERN = /^\/api\/v1\/agents\/([^/]+)\/attach$/;

/** The byte that detaches a raw terminal attach (Ctrl-], as in telnet); the agent keeps running. */
export const ATTACH_DETACH_BYTE = 0x1d;

/** The largest terminal side, in cells, a `resize` frame may ask for (@cca/pty's MAX_DIMENSION). */
const MAX_TERMINAL_CELLS = 2000;

const cells = z.number().int().min(1).max(MAX_TERMINAL_CELLS);

/** What a client may send as a text frame. */
export const AttachClientFrameSchema = z.discriminatedUnion("type", [
  /** The viewer's window size: the agent's terminal takes it (the latest resize wins). Ignored for a headless agent. */
  z.object({ type: z.literal("resize"), cols: cells, rows: cells }),
  /** One message to the agent, as a turn: a task pinned to it, queued while it is busy. */
  z.object({
    type: z.literal("message"),
    message: z.string().trim().min(1, "the message must not be empty"),
  }),
]);
export type AttachClientFrame = z.infer<typeof AttachClientFrameSchema>;

/** How an attach shows its agent: a raw terminal (interactive driver) or a live transcript (headless). */
export const AttachModeSchema = z.enum(["terminal", "transcript"]);
export type AttachMode = z.infer<typeof AttachModeSchema>;

/** Error codes of `error` frames. */
export const ATTACH_ERROR_CODES = ["bad_frame", "not_a_terminal", "message_failed", "write_failed"] as const;

/** What the daemon sends as a text frame. */
export const AttachServerFrameSchema = z.discriminatedUnion("type", [
  /** First frame: which agent, and how it is shown. */
  z.object({
    type: z.literal("hello"),
    agent_id: z.string(),
    role: z.string(),
    driver: AgentDriverKindSchema,
    mode: AttachModeSchema,
  }),
  /** Terminal: the whole screen, as escape sequences that draw it on a cleared terminal; sent first, and again after a resync. */
  z.object({
    type: z.literal("screen"),
    data: z.string(),
    cols: cells,
    rows: cells,
    cursor: z.object({ x: z.number().int().nonnegative(), y: z.number().int().nonnegative() }),
  }),
  /** Terminal: the agent's terminal has a new size (some viewer resized it). */
  z.object({ type: z.literal("resize"), cols: cells, rows: cells }),
  /** Terminal: the agent's process ended; the daemon closes the stream after it. */
  z.object({ type: z.literal("exit"), code: z.number().int().nullable(), signal: z.string().nullable() }),
  /** Transcript: something the agent did (recent ones first, then live). */
  z.object({ type: z.literal("activity"), event: ActivityEventSchema }),
  /** A `message` frame became this task; it waits while the agent is busy. */
  z.object({ type: z.literal("queued"), task_id: z.string(), message: z.string() }),
  /** That task ended: its result, or its error. */
  z.object({ type: z.literal("answer"), task: TaskSchema }),
  /** A frame the daemon could not take, or an action that failed; the stream and the agent go on. */
  z.object({ type: z.literal("error"), code: z.enum(ATTACH_ERROR_CODES), message: z.string() }),
]);
export type AttachServerFrame = z.infer<typeof AttachServerFrameSchema>;

/** `POST /api/v1/agents/:id/messages`: a turn for that agent, queued while it is busy. */
export const AgentMessageRequestSchema = z.object({
  message: z
    .string({ error: "message is required and must be a string" })
    .trim()
    .min(1, "message must not be empty"),
});
export type AgentMessageRequest = z.infer<typeof AgentMessageRequestSchema>;
