-- A message to one agent (`cca agent send`, a line typed in `cca agent attach`) is a task
-- pinned to that agent: it waits while the agent is busy and fails if the agent is gone.
ALTER TABLE tasks ADD COLUMN pinned_agent_id text;
