-- The log is partitioned by day of appended_at, so LOG_RETENTION forgets an expired day by dropping
-- its partition (a file unlinked: no WAL for its rows, nothing left to vacuum) instead of deleting
-- it row by row. The daily partitions are created ahead by the services (daily-partitions.ts); the
-- default partition takes whatever no day holds, among them the messages of the previous,
-- unpartitioned log, which go by the batched delete as before.
ALTER TABLE messages RENAME TO messages_unpartitioned;
ALTER TABLE messages_unpartitioned RENAME CONSTRAINT messages_pkey TO messages_unpartitioned_pkey;
ALTER SEQUENCE messages_offset_seq RENAME TO messages_unpartitioned_offset_seq;
DROP INDEX messages_by_age;

-- The same columns, defaults and offset identity; the partition key must be part of the primary key.
CREATE TABLE messages (
  LIKE messages_unpartitioned INCLUDING DEFAULTS INCLUDING IDENTITY,
  PRIMARY KEY (topic, partition, "offset", appended_at)
) PARTITION BY RANGE (appended_at);
CREATE INDEX messages_by_age ON messages (appended_at);
CREATE TABLE messages_default PARTITION OF messages DEFAULT;

INSERT INTO messages (topic, partition, "offset", key, value, headers, appended_at) OVERRIDING SYSTEM VALUE
SELECT topic, partition, "offset", key, value, headers, appended_at FROM messages_unpartitioned;
-- Offsets keep rising past the committed ones: a group reads "after offset N".
SELECT setval(pg_get_serial_sequence('messages', 'offset'), max("offset")) FROM messages_unpartitioned HAVING count(*) > 0;
DROP TABLE messages_unpartitioned;
