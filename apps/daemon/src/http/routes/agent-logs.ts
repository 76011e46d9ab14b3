import {
  type Agent,
  type AgentLogEntry,
  AgentLogsQuerySchema,
  type AgentLogsResponse,
  CcaError,
} from "@cca/core";
import { Hono } from "hono";
import type { AgentManager } from "../../agents/agent-manager.js";
import {
  agentTranscriptPath,
  parseTranscript,
  readTranscriptFrom,
  type TranscriptEntry,
} from "../../agents/transcript/index.js";
import type { AgentDirectory } from "./agents.js";

/** How many of the newest entries an answer holds when the query names no `lines` and no `after`. */
export const DEFAULT_LOG_LINES = 200;

export interface AgentLogRouteDeps {
  agents: AgentManager;
  /** The records of agents this daemon no longer holds (stopped a while ago, or before a restart). */
  agentDirectory?: AgentDirectory;
  /** `$CLAUDE_CONFIG_DIR` as the agents see it: their transcripts are under its `projects/`. */
  claudeConfigDir: string;
}

/**
 * `GET /agents/:id/logs?lines=&after=`: the agent's Claude Code transcript as log entries
 * (see `AgentLogsResponse`). An agent without a session or transcript yet has no entries.
 */
export function agentLogRoutes(deps: AgentLogRouteDeps): Hono {
  return new Hono().get("/agents/:id/logs", async (context) => {
    const query = AgentLogsQuerySchema.safeParse({
      lines: context.req.query("lines"),
      after: context.req.query("after"),
    });
    if (!query.success) {
      const problems = query.error.issues.map((issue) => issue.message).join("; ");
      throw new CcaError("bad_request", `Invalid query of GET /agents/:id/logs: ${problems}`);
    }
    const agent = await findAgent(deps, context.req.param("id"));
    const after = query.data.after === undefined ? undefined : Number(query.data.after);
    const body: AgentLogsResponse = {
      agent_id: agent.id,
      session_id: agent.session_id,
      transcript_path: null,
      entries: [],
      omitted: 0,
      malformed_lines: 0,
      next_cursor: String(after ?? 0),
    };
    if (!agent.session_id) return context.json(body);
    const path = agentTranscriptPath({
      claudeConfigDir: deps.claudeConfigDir,
      cwd: agent.working_dir,
      sessionId: agent.session_id,
    });
    body.transcript_path = path;
    const chunk = await readTranscriptFrom(path, after);
    if (!chunk) return context.json(body);

    let malformed = 0;
    const entries = parseTranscript(chunk.text, { onMalformedLine: () => malformed++ });
    const lines = query.data.lines ?? (after === undefined ? DEFAULT_LOG_LINES : entries.length);
    const kept = entries.slice(Math.max(0, entries.length - lines));
    body.entries = kept.map(logEntryWire);
    body.omitted = entries.length - kept.length;
    body.malformed_lines = malformed;
    body.next_cursor = String(chunk.nextOffset);
    return context.json(body);
  });
}

/** The agent, as this daemon holds it, or else as the database last recorded it. */
async function findAgent(deps: AgentLogRouteDeps, id: string): Promise<Agent> {
  if (deps.agents.has(id) || !deps.agentDirectory) return deps.agents.get(id);
  return (await deps.agentDirectory.repository.find(id)) ?? deps.agents.get(id);
}

function logEntryWire(entry: TranscriptEntry): AgentLogEntry {
  switch (entry.kind) {
    case "user":
    case "text":
    case "tool_use":
      return entry;
    case "tool_result":
      return {
        kind: entry.kind,
        at: entry.at,
        tool_use_id: entry.toolUseId,
        is_error: entry.isError,
        content: entry.content,
        truncated: entry.truncated,
      };
    case "usage":
      return {
        kind: entry.kind,
        at: entry.at,
        message_id: entry.messageId,
        model: entry.model,
        usage: entry.usage,
      };
    case "turn_end":
      return { kind: entry.kind, at: entry.at, duration_ms: entry.durationMs };
  }
}
