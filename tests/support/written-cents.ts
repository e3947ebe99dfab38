import fc from 'fast-check'

/** The largest amount a request may carry, 1,000,000,000.00, in cents. */
const MAX_AMOUNT_CENTS = 100_000_000_000

/** Every exact way a JSON client may write a whole number of cents: plain, padded, with an exponent. */
const writingsOf = (cents: number): string[] => {
  const amount = cents / 100
  return [
    String(amount),
    amount.toFixed(2),
    `${amount.toFixed(2)}000`,
    `${cents}e-2`,
    `${cents}E-2`,
    `${cents * 10}e-3`,
    `${amount}e0`,
    `${amount}E+0`,
  ]
}

/**
 * A whole number of cents from `min` up to the limit, weighted towards small amounts, the awkward
 * ones of binary floating point (0.07, 0.29, 1.15) and the ends of the range, and one of its
 * exact writings as JSON text.
 */
export const writtenCents = ({ min }: { min: number }) =>
  fc
    .oneof(
      fc.integer({ min, max: 100_000 }),
      fc.integer({ min, max: MAX_AMOUNT_CENTS }),
      fc.constantFrom(min, 7, 29, 115, 1_001, MAX_AMOUNT_CENTS - 1, MAX_AMOUNT_CENTS),
    )
    .chain((cents) => fc.constantFrom(...writingsOf(cents)).map((text) => ({ cents, text })))
