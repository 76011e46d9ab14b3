import { AgentBroadcast, AgentSend } from "@cca/acp";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { textResult } from "../tool-result.js";
import { acpErrorResult } from "./acp-error-result.js";
import type { BridgeContext } from "./bridge-server.js";

const delivered = (ids: string[]) =>
  textResult(`Delivered to ${ids.join(", ")}; they read it at the start of their next turn.`);

/** Registers `cca_send` and/or `cca_broadcast`: leave messages for other agents of the team. */
export function registerMessageTools(
  server: McpServer,
  context: BridgeContext,
  which: { send: boolean; broadcast: boolean },
): void {
  if (which.send) {
    server.registerTool(
      "cca_send",
      {
        description: "Leave a message for another agent of your team (an agent id, or a role such as qa).",
        inputSchema: {
          to: z.string().trim().min(1, "to must name an agent id or a role"),
          message: z.string().trim().min(1, "message must not be empty"),
        },
      },
      async ({ to, message }) => {
        try {
          return delivered((await context.acp.request(AgentSend, { to, message })).delivered_to);
        } catch (error) {
          return acpErrorResult(`Could not send to ${to}`, error);
        }
      },
    );
  }
  if (which.broadcast) {
    server.registerTool(
      "cca_broadcast",
      {
        description: "Leave a message for every other agent of your team (e.g. an interface that changed).",
        inputSchema: { message: z.string().trim().min(1, "message must not be empty") },
      },
      async ({ message }) => {
        try {
          return delivered((await context.acp.request(AgentBroadcast, { message })).delivered_to);
        } catch (error) {
          return acpErrorResult("Could not broadcast", error);
        }
      },
    );
  }
}
