-- A task pinned to one agent waits in the line of that agent's daemon, which alone runs it;
-- stored so that the line can be rebuilt, and the task failed if that daemon is gone.
ALTER TABLE tasks ADD COLUMN pinned_daemon text;
