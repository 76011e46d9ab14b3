-- The approval inbox: tool uses a role does not pre-allow wait here for a person's answer,
-- and remembered answers (rules) allow the same use again without asking. Any daemon on
-- the database may answer an approval; the agent's daemon sees the answer in the row.
CREATE TABLE approvals (
  id text PRIMARY KEY,
  agent_id text NOT NULL,
  role text NOT NULL,
  project text,
  task_id text,
  root_task_id text,
  -- The daemon whose agent waits for the answer.
  daemon text,
  tool_name text NOT NULL,
  input jsonb NOT NULL,
  summary text NOT NULL,
  -- pending, then allowed, denied, expired (nobody answered in time) or cancelled (the agent stopped waiting).
  status text NOT NULL,
  message text,
  remember text,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  answered_at timestamptz
);
CREATE INDEX approvals_pending ON approvals (created_at) WHERE status = 'pending';
CREATE INDEX approvals_root_task ON approvals (root_task_id) WHERE status = 'pending';

CREATE TABLE approval_rules (
  id text PRIMARY KEY,
  role text NOT NULL,
  -- Null: every project of the role.
  project text,
  tool_name text NOT NULL,
  -- Bash rules allow this exact command; null for other tools (any input).
  command text,
  approval_id text,
  created_at timestamptz NOT NULL
);
CREATE INDEX approval_rules_lookup ON approval_rules (role, tool_name);
