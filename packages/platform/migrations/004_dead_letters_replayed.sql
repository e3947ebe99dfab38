-- A dead letter sent back to its topic once the consumer was fixed is marked, not deleted: the
-- record of what failed and why stays.
ALTER TABLE dead_letters ADD COLUMN replayed_at timestamptz;
