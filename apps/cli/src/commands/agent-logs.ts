import type { AgentLogsResponse } from "@cca/core";
import type { CommandContext } from "../context.js";
import { EXIT_CODES } from "../exit-codes.js";
import { createIdResolver } from "../id-prefix.js";
import { followLiveUpdates, pollEvery } from "../live/live-updates.js";
import { createAgentLogRenderer, renderAgentLogsHeader } from "../render-agent-logs.js";

/** How often `-f` looks at the transcript between the agent's events (Claude Code writes it just after them). */
const FOLLOW_POLL_MS = 2_000;

export interface AgentLogsArgs {
  id: string;
  follow: boolean;
  lines: number;
  json: boolean;
  daemonUrl?: string;
}

/**
 * `cca agent logs <id> [-f] [--lines N] [--json]`: the newest entries of the agent's transcript;
 * with `-f`, then what it writes next, looking again on each of its events and every 2 s,
 * until Ctrl-C (exit 130) or the agent stops (exit 0). Resolves to the exit code.
 */
export async function showAgentLogs(context: CommandContext, args: AgentLogsArgs): Promise<number> {
  const client = context.client(args);
  const id = await createIdResolver(client).agent(args.id);
  const first = await client.agentLogs(id, { lines: args.lines });
  if (args.json && !args.follow) {
    context.printJson(first);
    return EXIT_CODES.ok;
  }
  const renderer = createAgentLogRenderer(context.renderOptions());
  const show = (page: AgentLogsResponse) => {
    if (page.malformed_lines > 0)
      context.warn(`cca: ${page.malformed_lines} transcript lines could not be read and were skipped.`);
    if (args.json) for (const entry of page.entries) context.printJson(entry, { compact: true });
    else for (const line of renderer.render(page.entries)) context.print(line);
  };
  if (!args.json)
    for (const line of renderAgentLogsHeader(first, context.renderOptions())) context.print(line);
  show(first);
  if (!args.follow) return EXIT_CODES.ok;

  const stop = new AbortController();
  const signal = AbortSignal.any([context.signal, stop.signal]);
  const updates = followLiveUpdates(client, {
    signal,
    poll: pollEvery(FOLLOW_POLL_MS),
    relevant: (event) => event.agent_id === id,
  });
  let cursor = first.next_cursor;
  try {
    for (;;) {
      await updates.next();
      if (context.signal.aborted) return EXIT_CODES.interrupted;
      const stopped = updates
        .takeEvents()
        .some((event) => event.kind === "agent.stopped" && event.agent_id === id);
      let page: AgentLogsResponse;
      try {
        page = await client.agentLogs(id, { after: cursor }, signal);
      } catch (error) {
        if (context.signal.aborted) return EXIT_CODES.interrupted;
        throw error;
      }
      cursor = page.next_cursor;
      show(page);
      if (stopped) {
        context.warn(`Agent ${id} stopped; its log ends here.`);
        return EXIT_CODES.ok;
      }
    }
  } finally {
    stop.abort();
  }
}
