import type { Config, PermissionDecision } from "@cca/core";
import type { AgentDriver, AgentDriverFactory, DriverLaunch } from "../agent-driver.js";
import { agentEnvironment, headlessLaunchArgs, interactiveLaunchArgs } from "../launch-args.js";
import { HeadlessDriver } from "./headless.js";
import { InteractiveDriver, type InteractiveDriverOptions } from "./interactive.js";
import { interactiveTurnUsage } from "./turn-usage.js";

/** Asks a person about one agent's tool use (the approval inbox); aborting withdraws the question. */
export type AgentPermissionAsker = (
  agentId: string,
  question: { tool_name: string; input: Record<string, unknown>; tool_use_id?: string },
  signal: AbortSignal,
) => Promise<PermissionDecision>;

/**
 * The factory that makes each agent's driver, of the kind its role asks for
 * (`[agents.roles.<role>] driver`, else `agents.driver`).
 * @example const createDriver = createDriverFactory({ config: config.agents, env: process.env, turnUsage });
 */
export function createDriverFactory(options: {
  config: Config["agents"];
  /** The daemon's environment, which agents inherit (without CCA credentials) plus `[agents.env]`. */
  env: NodeJS.ProcessEnv;
  /** Where an interactive agent's permission questions go (headless agents ask through their bridge). */
  askPermission?: AgentPermissionAsker;
  /** Reads one turn's usage from a Claude Code transcript (interactive agents report none otherwise); default `interactiveTurnUsage`. */
  turnUsage?: InteractiveDriverOptions["turnUsage"];
  /** `token_efficiency.no_skills`: headless agents load no skills (a person in a TUI keeps them). */
  noSkills?: boolean;
}): AgentDriverFactory {
  const { config, askPermission } = options;
  return (launch: DriverLaunch): AgentDriver => {
    const conversation = {
      profile: launch.profile,
      sessionId: launch.sessionId,
      resume: launch.resume,
      skipPermissions: config.skip_permissions,
      mcp: launch.mcp,
    };
    const env = agentEnvironment(options.env, config.env);
    switch (launch.profile.driver) {
      case "headless":
        return new HeadlessDriver({
          claudePath: config.claude_path,
          args: headlessLaunchArgs({ ...conversation, noSkills: options.noSkills ?? false }),
          cwd: launch.cwd,
          env,
          startupTimeoutMs: config.startup_timeout_seconds * 1000,
          logger: launch.logger,
        });
      case "interactive":
        return new InteractiveDriver({
          claudePath: config.claude_path,
          args: (settings) => interactiveLaunchArgs({ ...conversation, settings }),
          cwd: launch.cwd,
          env,
          startupTimeoutMs: config.startup_timeout_seconds * 1000,
          bypassPermissions: config.skip_permissions,
          permissionTimeoutS: config.approval_timeout_s,
          askPermission: askPermission
            ? async (question, signal) => {
                const decision = await askPermission(launch.agentId, question, signal);
                return decision.behavior === "allow"
                  ? { allow: true, updatedInput: decision.updatedInput }
                  : { allow: false, message: decision.message };
              }
            : undefined,
          turnUsage: options.turnUsage ?? interactiveTurnUsage,
          label: `CCA ${launch.profile.role} agent ${launch.agentId}`,
          logger: launch.logger,
        });
    }
  };
}
