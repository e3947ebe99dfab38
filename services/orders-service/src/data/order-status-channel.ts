/**
 * The PostgreSQL channel on which orders-service announces each order that reached a final status
 * (see moveOrder), as JSON `{order_id, user_id, status, reason}`.
 */
export const ORDER_STATUS_CHANNEL = 'order_status'
