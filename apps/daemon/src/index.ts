export { ACTIVITY_CHANNEL, ActivityLog } from "./activity/activity-log.js";
export type {
  AgentDriver,
  AgentDriverEvents,
  AgentDriverFactory,
  DriverLaunch,
  DriverState,
  ExitInfo,
  TurnOutcome,
  TurnResult,
} from "./agents/agent-driver.js";
export { AgentManager, type AgentManagerOptions } from "./agents/agent-manager.js";
export { createDriverFactory } from "./agents/drivers/create-driver.js";
export { HeadlessDriver, type HeadlessDriverOptions } from "./agents/drivers/headless.js";
export { type ClaudeOutputLine, parseStreamLine } from "./agents/drivers/stream-json.js";
export { agentEnvironment, headlessLaunchArgs } from "./agents/launch-args.js";
export { processTreeRss, type RssReader } from "./agents/process-memory.js";
export { DEFAULT_ALLOWED_TOOLS, RoleCatalog, type RoleProfile } from "./agents/role-catalog.js";
export { createDaemon, type Daemon, type DaemonOptions } from "./daemon.js";
export {
  applyTask,
  commitPart,
  createGitRunner,
  createTaskBranch,
  type GitRunner,
  mergePart,
  partBranchName,
  prepareAgentWorktree,
  pruneAgentWorktrees,
  taskChanges,
  taskDiff,
} from "./git/index.js";
export { type AppDeps, createApp, MAX_BODY_BYTES } from "./http/app.js";
export { Orchestrator, type OrchestratorOptions } from "./orchestrator/orchestrator.js";
export { type DaemonStorage, openDaemonStorage } from "./storage.js";
export { DAEMON_VERSION } from "./version.js";
