CREATE TABLE accounts (
  user_id uuid PRIMARY KEY,
  -- Integer minor units (cents); the CHECK is the last line of defence against an overdraft.
  balance_minor bigint NOT NULL CHECK (balance_minor >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- At most one payment per order, whoever asks for it and however often: the primary key is the
-- exactly-once guarantee. FAIL payments are kept too, so a redelivered order is not charged later.
CREATE TABLE payments (
  order_id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  status text NOT NULL CHECK (status IN ('SUCCESS', 'FAIL')),
  reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'FAIL') = (reason IS NOT NULL))
);

-- Every change of a balance, so that a balance can always be explained: it equals the sum of its entries.
CREATE TABLE ledger_entries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES accounts (user_id),
  kind text NOT NULL CHECK (kind IN ('opening', 'top_up', 'charge')),
  amount_minor bigint NOT NULL,
  order_id uuid REFERENCES payments (order_id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_entries_by_user ON ledger_entries (user_id);
