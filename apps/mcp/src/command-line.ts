import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Env, LogLevel } from "@cca/core";
import { LOG_LEVELS } from "@cca/core";
import { z } from "zod";
import { DEFAULT_WAIT_LIMIT_S } from "./command-center-server.js";

/** What `cca-mcp` was asked to do. */
export type Command =
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "serve"; waitLimitS: number; logLevel: LogLevel; projectDir: string }
  | { kind: "bridge"; agentId: string; logLevel: LogLevel };

/** A command line or environment that `cca-mcp` cannot work with; the message says what to change. */
export class UsageError extends Error {
  readonly code = "usage";
}

export const HELP_TEXT = `cca-mcp: the CCA MCP server for Claude Code (stdio)

Gives a Claude Code session the tools cca_task, cca_status, cca_cancel,
cca_resume, cca_activity, cca_agents, cca_approvals, cca_approve, cca_diff,
cca_apply, cca_memory, cca_feedback, cca_tokens and cca_rl_status, which hand work
to the CCA daemon (ccad), follow it, stop it, resume a task its budget paused,
answer what the agents ask, show the patch a task made and apply it to the
project's branch, search what earlier tasks taught, say how a task went, report
what the turns spent and how learned routing is doing.
Every task carries the session's project folder. Claude Code starts this program;
you do not run it by hand. The daemon must be running:
  cca daemon start

Install it in Claude Code (from a checkout of the CCA repository):
  claude plugin marketplace add /path/to/cca
  claude plugin install cca@cca
or, without the plugin:
  claude mcp add -s user cca -- node /path/to/cca/apps/mcp/bin/cca-mcp.js

Usage: cca-mcp [--help] [--version]
       cca-mcp --agent <agent id>

--agent <id> serves an agent's side instead: the tools the daemon grants its role
(cca_delegate for the Coordinator; cca_send and cca_broadcast for specialists),
over ACP. The daemon starts it for each of its agents; you do not.

Environment:
  CLAUDE_PROJECT_DIR the project folder sent with every task (default: the
                     current folder, where Claude Code starts MCP servers)
  CCA_DAEMON_URL     where the daemon listens (default http://127.0.0.1:9200)
  CCA_TOKEN          the daemon's access token (default: read from $CCA_HOME/token)
  CCA_AGENT_TOKEN    with --agent: the agent's own credential (the daemon sets it in
                     the MCP config it gives the agent; the access token cannot act as one)
  CCA_HOME           the CCA home directory (default ~/.cca)
  CCA_MCP_WAIT_S     the longest cca_task (or cca_resume) waits for an answer
                     before it returns the task id, in seconds (default ${DEFAULT_WAIT_LIMIT_S})
  CCA_MCP_LOG_LEVEL  diagnostics on stderr: debug, info, warn, error (default warn)

Configuration: the [mcp] section of cca.toml, found as ccad finds it ($CCA_CONFIG,
the project folder's cca.toml, then $CCA_HOME/cca.toml; CCA__MCP__<KEY> overrides):
  cancel_on_interrupt  true cancels a task when its cca_task (or cca_resume) wait
                       is interrupted (Esc); by default the task goes on (default false)
`;

const EnvSchema = z.object({
  CCA_MCP_WAIT_S: z.coerce
    .number({ error: "CCA_MCP_WAIT_S must be a number of seconds, e.g. 600" })
    .positive("CCA_MCP_WAIT_S must be more than 0 seconds")
    .max(86_400, "CCA_MCP_WAIT_S must be at most 86400 seconds (a day)")
    .default(DEFAULT_WAIT_LIMIT_S),
  CCA_MCP_LOG_LEVEL: z
    .enum(LOG_LEVELS, { error: `CCA_MCP_LOG_LEVEL must be one of: ${LOG_LEVELS.join(", ")}` })
    .default("warn"),
});

/**
 * Reads `cca-mcp`'s arguments and environment; `cwd` is the project folder unless
 * `CLAUDE_PROJECT_DIR` names one.
 * @throws UsageError on an unknown option or a bad environment value.
 */
export function parseCommandLine(argv: readonly string[], env: Env, cwd: string = process.cwd()): Command {
  let values: { help?: boolean; version?: boolean; agent?: string };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
        agent: { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${reason}. Run cca-mcp --help for usage.`, { cause: error });
  }
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };
  const parsed = EnvSchema.safeParse({
    CCA_MCP_WAIT_S: env.CCA_MCP_WAIT_S?.trim() || undefined,
    CCA_MCP_LOG_LEVEL: env.CCA_MCP_LOG_LEVEL?.trim() || undefined,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => issue.message).join("; ");
    throw new UsageError(`${problems} (got ${describeEnv(env)}).`);
  }
  if (values.agent !== undefined) {
    if (values.agent.trim() === "")
      throw new UsageError("--agent needs the agent's id. Run cca-mcp --help for usage.");
    return { kind: "bridge", agentId: values.agent.trim(), logLevel: parsed.data.CCA_MCP_LOG_LEVEL };
  }
  return {
    kind: "serve",
    waitLimitS: parsed.data.CCA_MCP_WAIT_S,
    logLevel: parsed.data.CCA_MCP_LOG_LEVEL,
    // Claude Code starts MCP servers in the project folder; CLAUDE_PROJECT_DIR says so explicitly.
    projectDir: resolve(cwd, env.CLAUDE_PROJECT_DIR?.trim() || "."),
  };
}

function describeEnv(env: Env): string {
  return ["CCA_MCP_WAIT_S", "CCA_MCP_LOG_LEVEL"]
    .filter((key) => env[key] !== undefined)
    .map((key) => `${key}=${JSON.stringify(env[key])}`)
    .join(", ");
}
