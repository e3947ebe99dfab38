/**
 * The benchmark's floor: the least an HTTP order intake costs on this machine. Fastify and pg,
 * and for each `POST /orders` one INSERT of an order row, then its 201: no gateway, no outbox, no
 * event, no transaction, no logging, no checks beyond parsing the JSON. Whatever the shop does
 * beyond this is what its ratio to the floor weighs.
 *
 * `node accept-only-server.ts <database url> <connections>`: listens on a free port of 127.0.0.1,
 * prints `listening on <url>` and runs until SIGTERM.
 */
import { randomUUID } from 'node:crypto'
import Fastify from 'fastify'
import pg from 'pg'
import { toMinorUnits } from '../../../packages/platform/src/money.ts'

const [databaseUrl, connections = '10'] = process.argv.slice(2)
if (!databaseUrl) throw new Error('usage: accept-only-server.ts <database url> <connections>')

const pool = new pg.Pool({ connectionString: databaseUrl, max: Number(connections) })
// Named, so each connection plans it once, as orders-service's own statement is.
const insertOrder = {
  name: 'floor_insert_order',
  text: `INSERT INTO orders.orders (id, user_id, amount_minor, description) VALUES ($1, $2, $3, $4)
         RETURNING id, created_at`,
}

const app = Fastify()
app.post<{ Body: { amount: number; description?: string } }>('/orders', async (request, reply) => {
  const { rows } = await pool.query({
    ...insertOrder,
    values: [
      randomUUID(),
      request.headers['x-user-id'],
      toMinorUnits(request.body.amount, 'amount'),
      request.body.description ?? null,
    ],
  })
  return reply.code(201).send(rows[0])
})

const url = await app.listen({ host: '127.0.0.1', port: 0 })
console.log(`listening on ${url}`)
process.once('SIGTERM', async () => {
  await app.close()
  await pool.end()
})
