import { z } from "zod";

/** How often start-up asks Claude Code whether its MCP servers are connected yet. */
export const MCP_STATUS_POLL_MS = 20;

/**
 * The answer to the `mcp_status` control request (checked on 2.1.197): each configured
 * server with its status, `pending` while it connects. Loose: later versions add keys.
 */
const McpStatusSchema = z.object({
  mcpServers: z.array(z.object({ name: z.string(), status: z.string() })).default([]),
});

/** What start-up learns from one `mcp_status` answer. */
export type McpStartup = { settled: false } | { settled: true; failed: { name: string; status: string }[] };

/**
 * Whether every MCP server has settled (connected, or failed), from an `mcp_status`
 * answer. An answer in another shape (an older Claude Code, a stand-in) says nothing is
 * pending: start-up does not wait on what it cannot read.
 */
export function mcpStartup(answer: unknown): McpStartup {
  const parsed = McpStatusSchema.safeParse(answer ?? {});
  if (!parsed.success) return { settled: true, failed: [] };
  const servers = parsed.data.mcpServers;
  if (servers.some((server) => server.status === "pending")) return { settled: false };
  return { settled: true, failed: servers.filter((server) => server.status !== "connected") };
}

/**
 * Asks `status` (the `mcp_status` control request, given the time left) every
 * MCP_STATUS_POLL_MS until no server is pending; resolves with those that did not connect
 * (the agent runs without their tools), or throws `timeoutError()` past `deadline`.
 */
export async function waitForMcpServers(options: {
  status: (remainingMs: number) => Promise<unknown>;
  deadline: number;
  timeoutError: () => Error;
}): Promise<{ name: string; status: string }[]> {
  for (;;) {
    const startup = mcpStartup(await options.status(Math.max(1, options.deadline - Date.now())));
    if (startup.settled) return startup.failed;
    if (Date.now() + MCP_STATUS_POLL_MS >= options.deadline) throw options.timeoutError();
    await new Promise((resolve) => setTimeout(resolve, MCP_STATUS_POLL_MS).unref());
  }
}
