import { AccountRoutes, OrderRoutes } from '@shop/contracts'
import { type Operation, openApiPath } from './openapi.ts'
import { type PostmanFolder, requestItem, script, stableId } from './postman.ts'

export const SEED_FLOW_FOLDER = 'Seed flow'

/** The amounts of the README's walk-through: open with 200, top up 25.50, order a kettle for 150. */
const SEED = { initialBalance: 200, topUp: 25.5, order: 150, description: 'a kettle' }
const toMinor = (amount: number) => Math.round(amount * 100)
const BALANCE_AFTER_TOP_UP = (toMinor(SEED.initialBalance) + toMinor(SEED.topUp)) / 100
const BALANCE_AFTER_ORDER = (toMinor(BALANCE_AFTER_TOP_UP) - toMinor(SEED.order)) / 100

/** How often, and how far apart, the flow asks for the order before it gives up on it leaving NEW. */
const POLL_ATTEMPTS = 30
const POLL_INTERVAL_MS = 500

const expectStatus = (status: number) => [
  `pm.test('answers ${status}', () => pm.response.to.have.status(${status}));`,
]

const expectBalance = (balance: number) => [
  ...expectStatus(200),
  `pm.test('the balance is ${balance}', () => pm.expect(pm.response.json().balance).to.eql(${balance}));`,
]

/**
 * The README's walk-through as a folder to run in order (Postman's collection runner, or
 * `newman run --folder "Seed flow"`): a fresh user opens an account, tops it up, places an order,
 * waits until it is paid, and reads what is left. Each step checks its answer; the order id is
 * carried from the order's answer to the steps after it.
 */
export function seedFlowFolder(operations: Operation[]): PostmanFolder {
  const operation = (route: { method: string; url: string }) => {
    const found = operations.find(
      (candidate) => candidate.method === route.method && candidate.path === openApiPath(route.url),
    )
    if (!found) throw new Error(`the OpenAPI document has no ${route.method} ${route.url}`)
    return found
  }
  const steps = [
    requestItem(operation(AccountRoutes.openAccount), {
      step: '1. Open an account for a new user',
      body: { initial_balance: SEED.initialBalance },
      event: [
        script('prerequest', [
          '// Every run of the flow is a new user, so it can be run again and again.',
          "pm.collectionVariables.set('userId', pm.variables.replaceIn('{{$guid}}'));",
        ]),
        script('test', expectStatus(201)),
      ],
    }),
    requestItem(operation(AccountRoutes.topUp), {
      step: '2. Top up the account',
      body: { amount: SEED.topUp },
      event: [script('test', expectBalance(BALANCE_AFTER_TOP_UP))],
    }),
    requestItem(operation(OrderRoutes.placeOrder), {
      step: '3. Place an order',
      body: { amount: SEED.order, description: SEED.description },
      event: [
        script('test', [
          ...expectStatus(201),
          "pm.test('the order starts NEW', () => pm.expect(pm.response.json().status).to.eql('NEW'));",
          "pm.collectionVariables.set('orderId', pm.response.json().id);",
          "pm.collectionVariables.unset('pollAttempts');",
        ]),
      ],
    }),
    requestItem(operation(OrderRoutes.getOrder), {
      step: '4. Poll the order until it is paid',
      event: [
        script('test', [
          '// The order is paid asynchronously: while it is NEW, the runner asks again a moment later.',
          '// Sent by hand, send it again until the status is no longer NEW.',
          ...expectStatus(200),
          'const order = pm.response.json();',
          "const attempts = Number(pm.collectionVariables.get('pollAttempts') || 0) + 1;",
          `if (order.status === 'NEW' && attempts < ${POLL_ATTEMPTS}) {`,
          "  pm.collectionVariables.set('pollAttempts', attempts);",
          '  pm.execution.setNextRequest(pm.info.requestId);',
          `  setTimeout(() => {}, ${POLL_INTERVAL_MS});`,
          '} else {',
          "  pm.collectionVariables.unset('pollAttempts');",
          "  pm.test('the order was paid: FINISHED', () => pm.expect(order.status).to.eql('FINISHED'));",
          '}',
        ]),
      ],
    }),
    requestItem(operation(AccountRoutes.getBalance), {
      step: '5. Read the balance',
      event: [script('test', expectBalance(BALANCE_AFTER_ORDER))],
    }),
  ]
  return {
    id: stableId(`folder:${SEED_FLOW_FOLDER}`),
    name: SEED_FLOW_FOLDER,
    description:
      'The walk-through of the README, in order: run this folder with the collection runner (or ' +
      '`newman run docs/shop.postman_collection.json --folder "Seed flow"`). The first step makes a ' +
      "new `userId`, the order step saves the new order's id in `orderId`, and the poll step repeats " +
      `itself every ${POLL_INTERVAL_MS} ms (at most ${POLL_ATTEMPTS} times) until the order is no longer NEW.`,
    item: steps,
  }
}
