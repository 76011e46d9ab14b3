-- Tasks (with their parts), agents, the daemons that run them, and agents' context
-- snapshots. pgvector is enabled here for the ReasoningBank's embeddings.
CREATE EXTENSION IF NOT EXISTS vector;

-- Daemons that use this database, so a task's owner can be told alive or dead.
CREATE TABLE daemons (
  name text PRIMARY KEY,
  hostname text NOT NULL,
  pid integer NOT NULL,
  url text,
  started_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  stopped_at timestamptz
);

CREATE TABLE tasks (
  id text PRIMARY KEY,
  -- Insertion order: newest-first listings and their cursors.
  seq integer GENERATED ALWAYS AS IDENTITY UNIQUE,
  parent_id text REFERENCES tasks (id) ON DELETE CASCADE,
  project text,
  description text NOT NULL,
  priority text NOT NULL,
  status text NOT NULL,
  agent_id text,
  session_id text,
  result text,
  error jsonb,
  usage jsonb NOT NULL,
  num_turns integer,
  created_at timestamptz NOT NULL,
  started_at timestamptz,
  finished_at timestamptz,
  duration_ms double precision,
  agent_duration_ms double precision,
  -- The daemon running it (or that last ran it), and how many times a daemon started it.
  owner text,
  attempts integer NOT NULL DEFAULT 0,
  cancel_requested_at timestamptz
);
CREATE INDEX tasks_parent ON tasks (parent_id, seq);
CREATE INDEX tasks_status ON tasks (status, seq);
CREATE INDEX tasks_project ON tasks (project, seq);
CREATE INDEX tasks_finished ON tasks (finished_at) WHERE finished_at IS NOT NULL;

CREATE TABLE agents (
  id text PRIMARY KEY,
  role text NOT NULL,
  state text NOT NULL,
  driver text NOT NULL,
  daemon text,
  pid integer,
  session_id text,
  working_dir text NOT NULL,
  current_task_id text,
  tasks_completed integer NOT NULL DEFAULT 0,
  usage jsonb NOT NULL,
  last_tool jsonb,
  last_error jsonb,
  -- True while its conversation waits for the next agent of its role to resume it.
  resumable boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  last_activity_at timestamptz NOT NULL
);
CREATE INDEX agents_resumable ON agents (role, last_activity_at) WHERE resumable;
CREATE INDEX agents_state ON agents (state);

-- An agent's state at a turn end or stop, with its Claude Code transcript (zstd).
CREATE TABLE context_snapshots (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  agent_id text NOT NULL,
  role text NOT NULL,
  session_id text,
  reason text NOT NULL,
  agent jsonb NOT NULL,
  transcript_path text,
  transcript_sha256 text,
  transcript_bytes integer,
  compression text NOT NULL,
  compressed_transcript bytea,
  created_at timestamptz NOT NULL
);
CREATE INDEX context_snapshots_agent ON context_snapshots (agent_id, id);
CREATE INDEX context_snapshots_session ON context_snapshots (session_id, id);
CREATE INDEX context_snapshots_created ON context_snapshots (created_at);
