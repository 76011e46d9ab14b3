export { type BusChannel, defineChannel, publishOn, subscribeTo } from "./bus-channel.js";
export {
  createDaemonClient,
  type DaemonClient,
  type DaemonClientOptions,
  type TaskListOptions,
} from "./client/daemon-client.js";
export { readSseEvents, type SseEvent } from "./client/sse.js";
export { type ChangesReading, readTaskChanges } from "./client/task-changes.js";
export { type Clock, isoTime, systemClock } from "./clock.js";
export { findConfigFile, type LoadedConfig, loadConfig, parseConfig } from "./config/load.js";
export { type Config, type ConfigInput, ConfigSchema, type RoleConfig } from "./config/schema.js";
export { clampTimerMs, MAX_TIMER_MS, MAX_TIMER_SECONDS } from "./config/timer-limits.js";
export { DeadlineExceeded, settlesWithin, withDeadline } from "./deadline.js";
export {
  AGENT_ATTACH_PATH_PATTERN,
  type AgentMessageRequest,
  AgentMessageRequestSchema,
  ATTACH_DETACH_BYTE,
  ATTACH_ERROR_CODES,
  type AttachClientFrame,
  AttachClientFrameSchema,
  type AttachMode,
  AttachModeSchema,
  type AttachServerFrame,
  AttachServerFrameSchema,
  agentAttachPath,
} from "./domain/agent-attach.js";
export {
  type AgentLogEntry,
  type AgentLogEntryKind,
  AgentLogEntrySchema,
  type AgentLogsQuery,
  AgentLogsQuerySchema,
  type AgentLogsResponse,
  AgentLogsResponseSchema,
  MAX_AGENT_LOG_LINES,
} from "./domain/agent-logs.js";
export {
  type AnswerApprovalRequest,
  AnswerApprovalRequestSchema,
  APPROVAL_REMEMBER,
  APPROVAL_STATUSES,
  type Approval,
  type ApprovalRemember,
  ApprovalRememberSchema,
  type ApprovalRule,
  ApprovalRuleSchema,
  ApprovalSchema,
  type ApprovalStatus,
  ApprovalStatusSchema,
  commandOf,
  describeToolUse,
  type PendingApproval,
  PendingApprovalSchema,
  type PermissionDecision,
  PermissionDecisionSchema,
  ruleFor,
  ruleMatches,
  type ToolUseRequest,
} from "./domain/approvals.js";
export {
  MEMORY_KINDS,
  MEMORY_LIMITS,
  type MemoryHit,
  MemoryHitSchema,
  type MemoryItem,
  MemoryItemSchema,
  type MemoryKind,
  MemoryKindSchema,
  type MemorySearchResponse,
  MemorySearchResponseSchema,
  type MemoryStats,
  MemoryStatsSchema,
  type NewMemoryItem,
  NewMemoryItemSchema,
  OUTCOME_JUDGES,
  type OutcomeJudge,
  type TaskFeedbackRequest,
  TaskFeedbackRequestSchema,
  type TaskFeedbackResult,
  TaskFeedbackResultSchema,
} from "./domain/memory-items.js";
export { newTask } from "./domain/new-task.js";
export {
  estimateTokens,
  type RedundancyItem,
  RedundancyItemSchema,
  type RedundancyReport,
  RedundancyReportSchema,
  TOKEN_ESTIMATE,
} from "./domain/redundancy.js";
export { BUILTIN_ROLES, type BuiltinRole, ROLE_NAME_PATTERN, type Role } from "./domain/roles.js";
export {
  ACTIVITY_KINDS,
  type ActivityEvent,
  ActivityEventSchema,
  type ActivityKind,
  type ActivityView,
  ActivityViewSchema,
  AGENT_DRIVERS,
  AGENT_STATES,
  type Agent,
  type AgentDriverKind,
  AgentDriverKindSchema,
  AgentSchema,
  type AgentState,
  addUsage,
  ConflictFileSchema,
  CreateAgentRequestSchema,
  type CreateTaskRequest,
  CreateTaskRequestSchema,
  type DaemonStatus,
  DaemonStatusSchema,
  ErrorBodySchema,
  type ErrorInfo,
  ErrorInfoSchema,
  emptyUsage,
  type Health,
  HealthSchema,
  ISOLATION_MODES,
  type IsolationMode,
  IsolationModeSchema,
  isTerminalStatus,
  MAX_TASK_DESCRIPTION_CHARS,
  type PartMerge,
  PartMergeSchema,
  type ProjectSummary,
  ProjectSummarySchema,
  type ResumeTaskRequest,
  ResumeTaskRequestSchema,
  TASK_PRIORITIES,
  TASK_STATUSES,
  type Task,
  type TaskBudget,
  TaskBudgetSchema,
  type TaskPriority,
  TaskPrioritySchema,
  TaskSchema,
  type TaskStatus,
  TaskStatusSchema,
  type TaskTree,
  TaskTreeSchema,
  type TaskWaitResponse,
  TaskWaitResponseSchema,
  type TaskWorkspace,
  TaskWorkspaceSchema,
  type TokenUsage,
  TokenUsageSchema,
  type ToolUseSummary,
  teamUsage,
} from "./domain/schemas.js";
export { buildTaskTree } from "./domain/task-tree.js";
export {
  sinceInstant,
  TOKEN_REPORT_GROUPS,
  TOKEN_TURN_KINDS,
  type TokenReport,
  type TokenReportGroup,
  TokenReportGroupSchema,
  type TokenReportQuery,
  TokenReportQuerySchema,
  type TokenReportRow,
  TokenReportRowSchema,
  TokenReportSchema,
  type TokenTurnKind,
} from "./domain/token-reports.js";
export {
  type ApplyResult,
  ApplyResultSchema,
  type DiffStat,
  DiffStatSchema,
  FILE_CHANGE_KINDS,
  type FileChange,
  FileChangeSchema,
  hasTaskBranch,
  type PartChanges,
  PartChangesSchema,
  type TaskChanges,
  TaskChangesSchema,
  WORKTREE_STATES,
  type Worktree,
  type WorktreePruneReport,
  WorktreePruneReportSchema,
  WorktreePruneRequestSchema,
  WorktreeSchema,
} from "./domain/workspace-schemas.js";
export { CcaError, ERROR_CODES, type ErrorCode, isErrorCode, toCcaError } from "./errors/cca-error.js";
export { HTTP_STATUS_BY_CODE } from "./errors/http-status.js";
export { type EventBus, type EventHandler, InMemoryEventBus } from "./event-bus.js";
export {
  formatAge,
  formatBytes,
  formatCompactCount,
  formatCost,
  formatDuration,
  formatGroupedCount,
  totalTokens,
} from "./format.js";
export {
  CHANGED_FILES_SHOWN,
  formatApplyResult,
  formatDiffStatSummary,
  formatFileChange,
  formatLineCounts,
  formatTaskChanges,
  formatWorkspaceNotes,
  type TaskChangesFormatOptions,
} from "./format-changes.js";
export { newId } from "./ids.js";
export {
  createLogger,
  LOG_LEVELS,
  type LogFields,
  type Logger,
  type LogLevel,
  noopLogger,
} from "./logger.js";
export { type Env, readAccessToken, resolveCcaHome, resolveDaemonUrl, tokenPath } from "./paths.js";
export { redactUrl } from "./redact-url.js";
export { LocalTaskScheduler, type LocalTaskSchedulerOptions } from "./scheduler/local-task-scheduler.js";
export {
  DEFAULT_PART_CONCURRENCY,
  DEFAULT_TASK_CONCURRENCY,
  type RunHandler,
  type RunOutcome,
  type ScheduledRun,
  type ScheduleEntry,
  type SchedulerHealth,
  type SchedulerLimits,
  type TaskScheduler,
} from "./scheduler/task-scheduler.js";
export { InMemoryStateStore } from "./state/in-memory-state-store.js";
export type { Lock, SetOptions, StateStore } from "./state/state-store.js";
