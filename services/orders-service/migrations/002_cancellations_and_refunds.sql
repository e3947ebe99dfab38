-- An order may now also be REFUNDED (from FINISHED, once refunds of its whole amount succeeded).
-- The previous release never writes it, so it keeps working while a rollout runs.
ALTER TABLE orders DROP CONSTRAINT orders_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_status_check
  CHECK (status IN ('NEW', 'FINISHED', 'CANCELLED', 'REFUNDED'));

-- What succeeded refunds have credited back, kept on the order so that reading it stays one row.
ALTER TABLE orders ADD COLUMN refunded_minor bigint NOT NULL DEFAULT 0;
ALTER TABLE orders ADD CONSTRAINT orders_refunded_within_amount
  CHECK (refunded_minor >= 0 AND refunded_minor <= amount_minor);

-- Refunds of FINISHED orders: PENDING until payments-service answers, then SUCCEEDED or FAILED.
-- The ones not FAILED never add up to more than the order's amount (checked under the order's row lock).
CREATE TABLE refunds (
  id uuid PRIMARY KEY,
  order_id uuid NOT NULL REFERENCES orders (id),
  user_id uuid NOT NULL,
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED')),
  reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'FAILED') = (reason IS NOT NULL))
);

CREATE INDEX refunds_by_order_oldest_first ON refunds (order_id, created_at, id);
