/** The largest amount the API takes, in the major unit. */
export const MAX_AMOUNT = 1_000_000_000
/** The minor unit: money is a whole number of cents. */
export const CENT = 0.01
