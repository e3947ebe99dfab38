-- The outbox and the inbox are partitioned by day, so retention forgets an expired day by dropping
-- its partition (a file unlinked: no WAL for its rows, nothing left to vacuum) instead of deleting
-- it row by row. The daily partitions are created ahead by the services (daily-partitions.ts); the
-- default partition takes whatever no day holds. The rows of the previous, unpartitioned tables
-- move into the default partition and go by the batched delete, as before.

-- The outbox by created_at, set once: a partition key that changes (published_at) would move rows.
ALTER TABLE outbox RENAME TO outbox_unpartitioned;
ALTER TABLE outbox_unpartitioned RENAME CONSTRAINT outbox_pkey TO outbox_unpartitioned_pkey;
ALTER SEQUENCE outbox_id_seq RENAME TO outbox_unpartitioned_id_seq;
DROP INDEX outbox_unpublished;
DROP INDEX outbox_published_by_age;

-- The same columns, defaults and id identity; the partition key must be part of the primary key.
CREATE TABLE outbox (
  LIKE outbox_unpartitioned INCLUDING DEFAULTS INCLUDING IDENTITY,
  PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
CREATE INDEX outbox_published_by_age ON outbox (published_at) WHERE published_at IS NOT NULL;
CREATE TABLE outbox_default PARTITION OF outbox DEFAULT;

INSERT INTO outbox (id, topic, message_key, value, headers, created_at, published_at) OVERRIDING SYSTEM VALUE
SELECT id, topic, message_key, value, headers, created_at, published_at FROM outbox_unpartitioned;
-- New rows keep the ids rising: the relay publishes in id order.
SELECT setval(pg_get_serial_sequence('outbox', 'id'), max(id)) FROM outbox_unpartitioned HAVING count(*) > 0;
DROP TABLE outbox_unpartitioned;

-- The inbox by the event's occurred_at: set once when the event is made, it is the same in every
-- redelivery and every re-publish of the event, so a redelivery, whenever it comes, lands in the
-- partition of its first delivery and conflicts there: deduplication stays exact. received_at
-- would differ between deliveries and put a redelivery in another partition, unseen.
ALTER TABLE inbox RENAME TO inbox_unpartitioned;
ALTER TABLE inbox_unpartitioned RENAME CONSTRAINT inbox_pkey TO inbox_unpartitioned_pkey;
DROP INDEX inbox_by_age;

CREATE TABLE inbox (
  consumer text NOT NULL,
  message_id text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  occurred_at timestamptz NOT NULL,
  PRIMARY KEY (consumer, message_id, occurred_at)
) PARTITION BY RANGE (occurred_at);
CREATE INDEX inbox_by_age ON inbox (received_at);
CREATE TABLE inbox_default PARTITION OF inbox DEFAULT;

-- When the previous version recorded these, it did not keep occurred_at: '-infinity' marks them,
-- and recording an event treats such a row of its id as "seen" too (inbox.ts).
INSERT INTO inbox (consumer, message_id, received_at, occurred_at)
SELECT consumer, message_id, received_at, '-infinity' FROM inbox_unpartitioned;
DROP TABLE inbox_unpartitioned;
