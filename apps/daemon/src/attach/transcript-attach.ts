import { type ActivityEvent, type EventBus, type Logger, subscribeTo } from "@cca/core";
import type { WebSocket } from "ws";
import type { ActivityLog } from "../activity/activity-log.js";
import type { AgentManager } from "../agents/agent-manager.js";
import { ActivityChannel } from "../bus-channels.js";
import type { Orchestrator } from "../orchestrator/orchestrator.js";
import { type AttachSocket, parseIncoming, relayMessage } from "./attach-socket.js";

/** How many of the agent's recent events a viewer gets first. */
const RECENT_EVENTS = 50;
/** How far back in the activity log those are looked for. */
const RECENT_WINDOW = 1000;

/**
 * Serves a headless agent as a live transcript: its recent activity, then its activity as it
 * happens (the daemon's activity events of that agent, as `GET /events` streams them), each as
 * an `activity` frame. A `message` frame is a turn for the agent (a task pinned to it, queued
 * while it is busy); its `queued` and `answer` frames follow. Binary frames are refused: there
 * is no terminal. Closes once the agent has stopped. Resolves when the connection ends.
 */
export async function serveTranscript(options: {
  webSocket: WebSocket;
  socket: AttachSocket;
  agentId: string;
  agents: AgentManager;
  orchestrator: Orchestrator;
  activity: ActivityLog;
  bus: EventBus;
  logger: Logger;
}): Promise<void> {
  const { webSocket, socket, agentId, agents, orchestrator, logger } = options;
  /** Tasks sent from this connection: their events belong in the transcript even before the agent takes them. */
  const ownTasks = new Set<string>();
  const belongs = (event: ActivityEvent) =>
    event.agent_id === agentId || (event.task_id !== null && ownTasks.has(event.task_id));
  webSocket.on("message", (data, isBinary) => {
    const incoming = parseIncoming(data, isBinary);
    if (incoming.kind === "bad") {
      void socket.send({ type: "error", code: "bad_frame", message: incoming.message });
    } else if (incoming.kind === "bytes") {
      void socket.send({
        type: "error",
        code: "not_a_terminal",
        message: `Agent ${agentId} is headless: it has no terminal to type into; send {"type":"message","message"} frames, one turn each`,
      });
    } else if (incoming.frame.type === "message") {
      void relayMessage(socket, orchestrator, agentId, incoming.frame.message, (id) => ownTasks.add(id));
    }
    // A resize means nothing without a terminal.
  });

  let lastSeq = 0;
  let sending = Promise.resolve();
  const relay = (event: ActivityEvent) => {
    if (event.seq <= lastSeq || !belongs(event)) return;
    lastSeq = event.seq;
    sending = sending.then(async () => {
      await socket.send({ type: "activity", event });
      if (event.agent_id === agentId && hasEnded(agents, agentId)) {
        socket.close(1000, `Agent ${agentId} has stopped`);
      }
    });
  };
  // Subscribed before the backlog is read, so nothing falls between the two.
  const live: ActivityEvent[] = [];
  let replaying = true;
  const unsubscribe = await subscribeTo(
    options.bus,
    ActivityChannel,
    (event) => {
      if (replaying) live.push(event);
      else relay(event);
    },
    (problem) => logger.warn("dropped a bus message", { problem }),
  );
  try {
    for (const event of options.activity.recent(RECENT_WINDOW).filter(belongs).slice(-RECENT_EVENTS))
      relay(event);
    replaying = false;
    for (const event of live.splice(0)) relay(event);
    if (hasEnded(agents, agentId)) socket.close(1000, `Agent ${agentId} has stopped`);
    await new Promise<void>((resolve) => {
      if (socket.closed.signal.aborted) resolve();
      else socket.closed.signal.addEventListener("abort", () => resolve(), { once: true });
    });
  } finally {
    await unsubscribe().catch((error: unknown) =>
      logger.debug("could not end an attach's bus subscription", { error }),
    );
  }
}

/** Whether the agent's process is gone for good (stopped or failed, or no longer listed). */
function hasEnded(agents: AgentManager, agentId: string): boolean {
  if (!agents.has(agentId)) return true;
  const { state } = agents.get(agentId);
  return state === "stopped" || state === "failed";
}
