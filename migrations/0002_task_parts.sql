-- Parts (subtasks) are handed out by the scheduler like top-level tasks, so any daemon
-- can run one: what the delegating agent asked for is stored with the part.
ALTER TABLE tasks ADD COLUMN role text;
ALTER TABLE tasks ADD COLUMN context text;
ALTER TABLE tasks ADD COLUMN timeout_ms integer;
