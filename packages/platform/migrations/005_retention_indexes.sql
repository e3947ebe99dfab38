-- Retention deletes rows by age, oldest first, a small batch at a time: each table needs its time
-- column indexed, or every batch would scan the whole table. The tables are small when this runs
-- (nothing was ever deleted before, but nothing reads them by age either), so a plain CREATE INDEX
-- inside the migration's transaction is brief.
CREATE INDEX outbox_published_by_age ON outbox (published_at) WHERE published_at IS NOT NULL;
CREATE INDEX inbox_by_age ON inbox (received_at);
CREATE INDEX dead_letters_replayed_by_age ON dead_letters (replayed_at) WHERE replayed_at IS NOT NULL;
