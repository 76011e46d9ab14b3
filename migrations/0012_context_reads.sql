-- Each file an agent read while working on a task (Claude Code's Read tool), with the size
-- of what it got back: the same file read by several agents of one task tree is context
-- that could have been shared (GET /api/v1/tasks/:id/redundancy, cca tokens redundancy).
CREATE TABLE context_reads (
  id text PRIMARY KEY,
  at timestamptz NOT NULL,
  task_id text NOT NULL,
  agent_id text NOT NULL,
  role text NOT NULL,
  -- The file, relative to the agent's folder when it is inside it (each agent has a worktree of its own).
  path text NOT NULL,
  -- Characters of the tool result the agent was sent.
  chars integer NOT NULL
);
CREATE INDEX context_reads_task ON context_reads (task_id);
CREATE INDEX context_reads_at ON context_reads (at);
