import type { Config } from "@cca/core";
import type { AgentDriver, AgentDriverFactory, DriverLaunch } from "../agent-driver.js";
import { agentEnvironment, headlessLaunchArgs } from "../launch-args.js";
import { HeadlessDriver } from "./headless.js";

/**
 * The factory that makes each agent's driver, of the kind its role asks for
 * (`[agents.roles.<role>] driver`, else `agents.driver`).
 * @example const createDriver = createDriverFactory({ config: config.agents, env: process.env });
 */
export function createDriverFactory(options: {
  config: Config["agents"];
  /** The daemon's environment, which agents inherit (without CCA credentials) plus `[agents.env]`. */
  env: NodeJS.ProcessEnv;
}): AgentDriverFactory {
  const { config } = options;
  return (launch: DriverLaunch): AgentDriver => {
    switch (launch.profile.driver) {
      case "headless":
        return new HeadlessDriver({
          claudePath: config.claude_path,
          args: headlessLaunchArgs({
            profile: launch.profile,
            sessionId: launch.sessionId,
            resume: launch.resume,
            skipPermissions: config.skip_permissions,
            mcp: launch.mcp,
          }),
          cwd: launch.cwd,
          env: agentEnvironment(options.env, config.env),
          startupTimeoutMs: config.startup_timeout_seconds * 1000,
          logger: launch.logger,
        });
    }
  };
}
