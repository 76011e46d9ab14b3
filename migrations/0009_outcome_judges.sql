-- Who judged each injection's outcome: the task's status, an LLM judge turn, or a person's
-- feedback. A later verdict replaces an earlier one only from the same judge or a
-- weightier one (feedback over llm over status), so a late judge never undoes feedback.
ALTER TABLE pattern_injections
  ADD COLUMN judged_by text CHECK (judged_by IN ('status', 'llm', 'feedback'));
UPDATE pattern_injections SET judged_by = 'status' WHERE outcome IS NOT NULL;
