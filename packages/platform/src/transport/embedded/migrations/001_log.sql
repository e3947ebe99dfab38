-- The embedded transport: a partitioned, append-only log per topic with committed offsets per
-- consumer group, which is all of Kafka's model the services rely on.
CREATE TABLE topics (
  name text PRIMARY KEY,
  partitions integer NOT NULL CHECK (partitions > 0)
);

CREATE TABLE messages (
  topic text NOT NULL,
  partition integer NOT NULL,
  -- One sequence for every partition: offsets rise within a partition but are not contiguous.
  "offset" bigint GENERATED ALWAYS AS IDENTITY,
  key text NOT NULL,
  value text NOT NULL,
  headers jsonb NOT NULL DEFAULT '{}',
  appended_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (topic, partition, "offset")
);

CREATE TABLE committed_offsets (
  group_id text NOT NULL,
  topic text NOT NULL,
  partition integer NOT NULL,
  "offset" bigint NOT NULL,
  committed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, topic, partition)
);
