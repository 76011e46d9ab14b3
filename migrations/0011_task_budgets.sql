-- A top-level task's budget ({tokens?, usd?}: the most its team may spend), and when a
-- paused task (or part) was last resumed: a part's deadline counts from then. Paused tasks
-- have status 'paused' and say why in `error` (budget_exhausted).
ALTER TABLE tasks ADD COLUMN budget jsonb;
ALTER TABLE tasks ADD COLUMN resumed_at timestamptz;
