-- Where a task's agents work: in worktrees of their own (the task's branch, its base commit)
-- or all in the project folder ("shared"), with a note saying why. A part's workspace names
-- its own branch and the commit it made. JSON parsed with zod on read (TaskWorkspaceSchema).
ALTER TABLE tasks ADD COLUMN workspace jsonb;
