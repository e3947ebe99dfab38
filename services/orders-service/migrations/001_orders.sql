CREATE TABLE orders (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  description text CHECK (char_length(description) <= 500),
  -- NEW until payments-service answers; FINISHED and CANCELLED are final.
  status text NOT NULL DEFAULT 'NEW' CHECK (status IN ('NEW', 'FINISHED', 'CANCELLED')),
  reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'CANCELLED') = (reason IS NOT NULL))
);

CREATE INDEX orders_by_user_newest_first ON orders (user_id, created_at DESC, id DESC);
