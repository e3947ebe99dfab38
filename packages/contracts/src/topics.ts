/** Topic names when ORDERS_TOPIC and PAYMENT_RESULTS_TOPIC are not set; the seed's names. */
export const DEFAULT_ORDERS_TOPIC = 'order_created'
export const DEFAULT_PAYMENT_RESULTS_TOPIC = 'payment_finished'
