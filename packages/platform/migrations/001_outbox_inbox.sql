-- Every service that publishes or consumes events gets these tables in its own schema.

-- Transactional outbox: written in the transaction of the state change, published by the relay.
CREATE TABLE outbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  topic text NOT NULL,
  message_key text NOT NULL,
  value text NOT NULL,
  headers jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;

-- Transactional inbox: a message id seen once is acknowledged without effect the next time.
CREATE TABLE inbox (
  consumer text NOT NULL,
  message_id text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, message_id)
);

-- Messages that can never be handled as they are (malformed, unknown version), kept with the
-- reason instead of blocking their partition.
CREATE TABLE dead_letters (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  consumer text NOT NULL,
  topic text NOT NULL,
  partition integer NOT NULL,
  "offset" text NOT NULL,
  message_key text NOT NULL,
  value text NOT NULL,
  headers jsonb NOT NULL DEFAULT '{}',
  error text NOT NULL,
  failed_at timestamptz NOT NULL DEFAULT now()
);
