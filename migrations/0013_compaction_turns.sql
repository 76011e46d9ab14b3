-- A turn that compacts an agent's conversation (Claude Code's /compact) is a row of its own.
ALTER TABLE token_usage DROP CONSTRAINT token_usage_kind_check;
ALTER TABLE token_usage ADD CONSTRAINT token_usage_kind_check CHECK (kind IN ('turn', 'distill', 'compact'));
