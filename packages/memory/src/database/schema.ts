import type { ColumnType, Generated } from "kysely";

/** A timestamptz column: written as an ISO string or Date, read back as a Date. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A jsonb column: written as JSON text, read back parsed (and then validated with zod). */
type Json = ColumnType<unknown, string, string>;

export interface DaemonsTable {
  name: string;
  hostname: string;
  pid: number;
  url: string | null;
  started_at: Timestamp;
  last_seen_at: Timestamp;
  stopped_at: Timestamp | null;
}

export interface TasksTable {
  id: string;
  seq: Generated<number>;
  parent_id: string | null;
  project: string | null;
  description: string;
  priority: string;
  status: string;
  agent_id: string | null;
  session_id: string | null;
  result: string | null;
  error: Json | null;
  usage: Json;
  num_turns: number | null;
  created_at: Timestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  duration_ms: number | null;
  agent_duration_ms: number | null;
  owner: string | null;
  attempts: Generated<number>;
  cancel_requested_at: Timestamp | null;
  workspace: Json | null;
  budget: Json | null;
  resumed_at: Timestamp | null;
  role: string | null;
  context: string | null;
  timeout_ms: number | null;
  /** The one agent that must run it (a message to that agent), else null. */
  pinned_agent_id: string | null;
  pinned_daemon: string | null;
}

export interface AgentsTable {
  id: string;
  role: string;
  state: string;
  driver: string;
  daemon: string | null;
  pid: number | null;
  session_id: string | null;
  working_dir: string;
  project: string | null;
  current_task_id: string | null;
  tasks_completed: number;
  usage: Json;
  last_tool: Json | null;
  last_error: Json | null;
  resumable: Generated<boolean>;
  created_at: Timestamp;
  last_activity_at: Timestamp;
}

export interface ContextSnapshotsTable {
  id: Generated<number>;
  agent_id: string;
  role: string;
  session_id: string | null;
  reason: string;
  agent: Json;
  transcript_path: string | null;
  transcript_sha256: string | null;
  transcript_bytes: number | null;
  compression: string;
  compressed_transcript: Uint8Array | null;
  created_at: Timestamp;
}

export interface ApprovalsTable {
  id: string;
  agent_id: string;
  role: string;
  project: string | null;
  task_id: string | null;
  root_task_id: string | null;
  daemon: string | null;
  tool_name: string;
  input: Json;
  summary: string;
  status: string;
  message: string | null;
  remember: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  answered_at: Timestamp | null;
}

export interface ApprovalRulesTable {
  id: string;
  role: string;
  project: string | null;
  tool_name: string;
  command: string | null;
  approval_id: string | null;
  created_at: Timestamp;
}

export interface MigrationsTable {
  name: string;
  checksum: string;
  applied_at: Timestamp;
}

/** The ReasoningBank's memory items (see migrations/0008_patterns.sql). */
export interface PatternsTable {
  id: string;
  kind: string;
  project: string | null;
  title: string;
  description: string;
  content: string;
  source_task_ids: string[];
  confidence: number;
  uses: Generated<number>;
  successes: Generated<number>;
  failures: Generated<number>;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
  /** pgvector text, `[0.1,0.2,…]`: written with `toVectorText`, read as `embedding::text`. */
  embedding: string;
  embedding_model: string;
  embedding_dim: number;
  search: ColumnType<string, never, never>;
}

export interface PatternInjectionsTable {
  task_id: string;
  pattern_id: string;
  score: number;
  injected_at: Timestamp;
  outcome: string | null;
  /** Who judged the outcome (migrations/0009_outcome_judges.sql). */
  judged_by: string | null;
}

/** One turn's tokens (see migrations/0010_token_usage.sql); bigint columns read back as strings. */
export interface TokenUsageTable {
  id: string;
  at: Timestamp;
  day: string;
  kind: string;
  task_id: string | null;
  root_task_id: string | null;
  agent_id: string | null;
  role: string;
  project: string | null;
  model: string | null;
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_creation_5m_tokens: number;
  cache_creation_1h_tokens: number;
  cache_read_input_tokens: number;
  cost_usd: number;
}

/** A file an agent read during a task (see migrations/0012_context_reads.sql). */
export interface ContextReadsTable {
  id: string;
  at: Timestamp;
  task_id: string;
  agent_id: string;
  role: string;
  path: string;
  chars: number;
}

/** A routing decision and, once settled, its outcome (see migrations/0014_rl_experiences.sql). */
export interface RlExperiencesTable {
  id: string;
  at: Timestamp;
  policy: string;
  task_id: string;
  project: string | null;
  state: Json;
  features: Json;
  role: string;
  tier: string;
  heuristic_role: string;
  heuristic_tier: string;
  source: string;
  explanation: string;
  settled_at: Timestamp | null;
  status: string | null;
  success: boolean | null;
  tokens: number | null;
  seconds: number | null;
  reward: number | null;
}

/** A policy's trained model (see migrations/0014_rl_experiences.sql). */
export interface RlCheckpointsTable {
  policy: string;
  algorithm: string;
  checkpoint: Json;
  experiences: number;
  last_settled_at: Timestamp | null;
  last_id: string | null;
  saved_at: Timestamp;
}

/** Every table CCA keeps, as kysely sees them. */
export interface DatabaseSchema {
  rl_experiences: RlExperiencesTable;
  rl_checkpoints: RlCheckpointsTable;
  context_reads: ContextReadsTable;
  token_usage: TokenUsageTable;
  patterns: PatternsTable;
  pattern_injections: PatternInjectionsTable;
  daemons: DaemonsTable;
  tasks: TasksTable;
  agents: AgentsTable;
  context_snapshots: ContextSnapshotsTable;
  approvals: ApprovalsTable;
  approval_rules: ApprovalRulesTable;
  cca_migrations: MigrationsTable;
}
