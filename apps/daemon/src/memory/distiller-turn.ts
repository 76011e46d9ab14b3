import { mkdirSync } from "node:fs";
import type { Config, Logger } from "@cca/core";
import type { TurnOutcome } from "../agents/agent-driver.js";
import { runOneShotTurn } from "../agents/drivers/one-shot-turn.js";
import { DISTILLER_SYSTEM_PROMPT } from "./distillation.js";

/**
 * The distiller's turn: Claude Code on `memory.distill_model`, with the distiller's prompt
 * instead of Claude Code's own, no tools, no MCP servers, no slash commands and no session
 * kept, answering through `--json-schema`; it runs in an empty folder of its own (so no
 * project's CLAUDE.md comes along), with the agents' environment and so their credentials.
 */
export function distillerTurn(options: {
  config: Config;
  /** The agents' environment (the daemon's, without CCA credentials, plus `[agents.env]`). */
  env: NodeJS.ProcessEnv;
  /** The folder it runs in; created when missing. */
  cwd: string;
  logger: Logger;
}) {
  const { config, env, cwd, logger } = options;
  return (prompt: string, schema: Record<string, unknown>, signal: AbortSignal): Promise<TurnOutcome> => {
    mkdirSync(cwd, { recursive: true });
    return runOneShotTurn({
      claudePath: config.agents.claude_path,
      args: [
        "--model",
        config.memory.distill_model,
        "--system-prompt",
        DISTILLER_SYSTEM_PROMPT,
        "--tools",
        "",
        "--mcp-config",
        JSON.stringify({ mcpServers: {} }),
        "--strict-mcp-config",
        "--disable-slash-commands",
        "--no-session-persistence",
        "--json-schema",
        JSON.stringify(schema),
      ],
      prompt,
      cwd,
      env,
      timeoutMs: config.memory.distill_timeout_s * 1000,
      signal,
      logger,
    });
  };
}
