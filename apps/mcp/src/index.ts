export { type AgentBridgeOptions, createAgentBridgeServer } from "./agent-bridge/bridge-server.js";
export { acpUrlFor, connectBridge, type Registration } from "./agent-bridge/bridge-session.js";
export {
  type CommandCenterServerOptions,
  createCommandCenterServer,
  DEFAULT_PROGRESS_INTERVAL_MS,
  DEFAULT_WAIT_LIMIT_S,
} from "./command-center-server.js";
export { type Command, HELP_TEXT, parseCommandLine, UsageError } from "./command-line.js";
export { createDaemonClientFromEnv } from "./daemon-connection.js";
export {
  formatActivity,
  formatAgents,
  formatTaskAnswer,
  formatTaskDetails,
  formatTaskFailure,
  formatTaskFooter,
  formatTaskList,
  formatTaskPaused,
} from "./format.js";
export { exitWithParent } from "./parent-watch.js";
export {
  type TaskActivityWatcher,
  type WatchTaskActivityOptions,
  watchTaskActivity,
} from "./task-activity.js";
export { CCA_ACTIVITY_TOOL } from "./tools/cca-activity.js";
export { CCA_AGENTS_TOOL } from "./tools/cca-agents.js";
export { CCA_CANCEL_TOOL } from "./tools/cca-cancel.js";
export { CCA_RESUME_TOOL } from "./tools/cca-resume.js";
export { CCA_STATUS_TOOL } from "./tools/cca-status.js";
export { CCA_TASK_TOOL } from "./tools/cca-task.js";
export { VERSION } from "./version.js";
