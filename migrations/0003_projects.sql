-- Agents belong to a project (the absolute path of its git root or folder; null for tasks
-- that named none): each project has its own Coordinator and specialists, with their own
-- conversations.
ALTER TABLE agents ADD COLUMN project text;
CREATE INDEX agents_resumable_in_project ON agents (role, project, last_activity_at) WHERE resumable;
