-- Every turn's tokens as Claude Code reported them, one row per turn: an agent's turn on a
-- task, or the ReasoningBank distiller's. Reports group them by role, project, day or
-- top-level task (`GET /api/v1/tokens`, `cca tokens report`).
CREATE TABLE token_usage (
  id text PRIMARY KEY,
  at timestamptz NOT NULL,
  -- The UTC day of `at`, for reports by day.
  day date NOT NULL,
  kind text NOT NULL CHECK (kind IN ('turn', 'distill')),
  -- The task the turn worked on, and its top-level task (itself for a top-level one).
  task_id text,
  root_task_id text,
  agent_id text,
  role text NOT NULL,
  project text,
  model text,
  input_tokens bigint NOT NULL,
  output_tokens bigint NOT NULL,
  -- All cache writes; of which Claude Code's 5-minute and 1-hour writes, where it told them apart.
  cache_creation_input_tokens bigint NOT NULL,
  cache_creation_5m_tokens bigint NOT NULL,
  cache_creation_1h_tokens bigint NOT NULL,
  cache_read_input_tokens bigint NOT NULL,
  cost_usd double precision NOT NULL
);
CREATE INDEX token_usage_at ON token_usage (at);
CREATE INDEX token_usage_root_task ON token_usage (root_task_id);
