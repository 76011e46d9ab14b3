-- Routing decisions and their outcomes, the learned router's training data: what the
-- router saw (state and the model's features), what it chose and why, what the heuristic
-- would have chosen, and, once the task or part ended, its success, tokens, time and reward.
CREATE TABLE rl_experiences (
  id text PRIMARY KEY,
  at timestamptz NOT NULL,
  -- 'task' (a top-level task: the Coordinator or one role) or 'part' (a delegated part).
  policy text NOT NULL,
  task_id text NOT NULL,
  project text,
  state jsonb NOT NULL,
  features jsonb NOT NULL,
  role text NOT NULL,
  tier text NOT NULL,
  heuristic_role text NOT NULL,
  heuristic_tier text NOT NULL,
  -- heuristic | learned | explore | override (a person chose the role).
  source text NOT NULL,
  explanation text NOT NULL,
  settled_at timestamptz,
  status text,
  success boolean,
  tokens bigint,
  seconds double precision,
  reward double precision
);
CREATE INDEX rl_experiences_task ON rl_experiences (task_id);
CREATE INDEX rl_experiences_settled ON rl_experiences (policy, settled_at, id);

-- Each policy's trained model, so a restarted daemon routes as it did without replaying
-- every experience: the model, and the last experience folded into it.
CREATE TABLE rl_checkpoints (
  policy text PRIMARY KEY,
  algorithm text NOT NULL,
  checkpoint jsonb NOT NULL,
  experiences integer NOT NULL,
  last_settled_at timestamptz,
  last_id text,
  saved_at timestamptz NOT NULL
);
