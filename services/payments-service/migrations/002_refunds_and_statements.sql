-- Refunds, each credited at most once: those a customer asked for (the id is orders-service's
-- refund id, so a redelivered request finds its refund) and the one that gives back the charge of
-- an order its owner cancelled (at most one per order, by the unique index). A refund that could
-- not be credited is kept as FAILED, so asking again answers the same.
CREATE TABLE refunds (
  id uuid PRIMARY KEY,
  order_id uuid NOT NULL,
  user_id uuid NOT NULL,
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  cause text NOT NULL CHECK (cause IN ('requested', 'cancellation')),
  status text NOT NULL CHECK (status IN ('SUCCEEDED', 'FAILED')),
  reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'FAILED') = (reason IS NOT NULL))
);
CREATE UNIQUE INDEX refunds_one_per_cancelled_order ON refunds (order_id) WHERE cause = 'cancellation';
CREATE INDEX refunds_by_order ON refunds (order_id);

-- A refund is a change of a balance too. The previous release never writes the new kind.
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_kind_check;
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_kind_check
  CHECK (kind IN ('opening', 'top_up', 'charge', 'refund'));
ALTER TABLE ledger_entries ADD COLUMN refund_id uuid REFERENCES refunds (id);

-- The statement reads a user's entries newest first, a page at a time.
CREATE INDEX ledger_entries_by_user_newest_first ON ledger_entries (user_id, id DESC);
