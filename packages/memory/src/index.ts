export { AgentRepository } from "./agents/agent-repository.js";
export { ApprovalRepository, type ApprovalSettlement } from "./approvals/approval-repository.js";
export { type DaemonIdentity, DaemonRepository, type LivenessRules } from "./daemons/daemon-repository.js";
export {
  type Database,
  type Engine,
  type OpenDatabaseOptions,
  openDatabase,
} from "./database/open-database.js";
export type { DatabaseSchema } from "./database/schema.js";
export {
  defaultMigrationsDir,
  type MigrationFile,
  type MigrationState,
  migrate,
  migrationStatus,
  readMigrations,
} from "./migrations/migrator.js";
export { cosine, type EmbeddingProvider } from "./reasoning-bank/embedding-provider.js";
export { contentWords, HashedNgramEmbedder } from "./reasoning-bank/hashed-ngram-embedder.js";
export {
  HTTP_EMBEDDING_APIS,
  HttpEmbedder,
  type HttpEmbedderOptions,
  type HttpEmbeddingApi,
} from "./reasoning-bank/http-embedder.js";
export { type CandidateQuery, PatternRepository, toVectorText } from "./reasoning-bank/pattern-repository.js";
export { type Candidate, type RankedHit, type RankOptions, rankHits } from "./reasoning-bank/rank-hits.js";
export {
  ReasoningBank,
  type ReasoningBankOptions,
  type SearchOptions,
} from "./reasoning-bank/reasoning-bank.js";
export {
  type RoutingCheckpoint,
  type RoutingDecisionRecord,
  RoutingExperienceRepository,
  type RoutingOutcomeRecord,
  type SettledCursor,
} from "./rl/routing-experience-repository.js";
export {
  DEFAULT_COMPRESSION_LEVEL,
  type RestoredTranscript,
  type SavedSnapshot,
  SnapshotRepository,
  type SnapshotRepositoryOptions,
} from "./snapshots/snapshot-repository.js";
export {
  type ContextSnapshot,
  ContextSnapshotSchema,
  SNAPSHOT_REASONS,
  type SnapshotReason,
  type SnapshotTranscript,
} from "./snapshots/snapshot-row.js";
export { claudeProjectFolder, transcriptPath } from "./snapshots/transcript-path.js";
export {
  type ProjectTotals,
  type TaskListFilter,
  type TaskPage,
  TaskRepository,
  type TaskRunState,
} from "./tasks/task-repository.js";
export type { PartBrief } from "./tasks/task-row.js";
export { type ContextRead, ContextReadRepository } from "./tokens/context-read-repository.js";
export {
  type ScopeSpends,
  type Spend,
  TokenUsageRepository,
  type TurnTokens,
} from "./tokens/token-usage-repository.js";
