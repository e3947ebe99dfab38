import { randomUUID } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { eventually } from '../../../../tests/support/eventually.ts'
import type { DeliveredMessage, Subscription, Transport } from '../../src/transport/port.ts'

/**
 * The behaviour every transport adapter must show, in the manner of Watermill's universal Pub/Sub
 * tests. `connect` returns a new client of the same broker each time it is called, so several
 * consumers of a group can be separate clients, as separate processes would be.
 */
export function describeTransportContract(name: string, connect: () => Promise<Transport>): void {
  describe(`${name} transport contract`, () => {
    const opened: Transport[] = []
    const open = async () => {
      const transport = await connect()
      opened.push(transport)
      return transport
    }
    const subscriptions: Subscription[] = []
    const uniqueTopic = () => `contract-${randomUUID().slice(0, 8)}`

    afterAll(async () => {
      await Promise.all(subscriptions.map((subscription) => subscription.close()))
      await Promise.all(opened.map((transport) => transport.close()))
    })

    const collect = async (transport: Transport, topic: string, group: string, seen: DeliveredMessage[]) => {
      const subscription = await transport.subscribe({
        topic,
        group,
        handleBatch: async (messages) => {
          seen.push(...messages)
        },
      })
      subscriptions.push(subscription)
      return subscription
    }

    it('when messages are published, then a subscriber receives each with its key, value and headers', async () => {
      const transport = await open()
      const topic = uniqueTopic()
      await transport.publish(topic, [
        { key: 'a', value: 'first', headers: { traceparent: 'x' } },
        { key: 'b', value: 'second' },
      ])
      const seen: DeliveredMessage[] = []
      await collect(transport, topic, 'readers', seen)
      await eventually(
        async () => seen.length,
        (count) => count >= 2,
      )
      expect(seen.map((message) => [message.key, message.value]).sort()).toEqual([
        ['a', 'first'],
        ['b', 'second'],
      ])
      expect(seen.find((message) => message.key === 'a')?.headers).toMatchObject({ traceparent: 'x' })
      expect(seen.every((message) => message.topic === topic)).toBe(true)
    })

    it('when a handler fails before acknowledging, then the same message is delivered again', async () => {
      const transport = await open()
      const topic = uniqueTopic()
      const attempts: string[] = []
      subscriptions.push(
        await transport.subscribe({
          topic,
          group: 'flaky',
          handleBatch: async (messages) => {
            for (const message of messages) attempts.push(message.value)
            if (attempts.length === 1) throw new Error('crashed before acknowledging')
          },
        }),
      )
      await transport.publish(topic, [{ key: 'k', value: 'only' }])
      await eventually(
        async () => attempts.length,
        (count) => count >= 2,
      )
      expect(attempts.slice(0, 2)).toEqual(['only', 'only'])
    })

    it('when two consumers share a group, then together they see every message once and both get work', async () => {
      const topic = uniqueTopic()
      const publisher = await open()
      const first: DeliveredMessage[] = []
      const second: DeliveredMessage[] = []
      await collect(await open(), topic, 'shared', first)
      await collect(await open(), topic, 'shared', second)
      // Let the group settle into sharing the partitions before the messages arrive.
      await new Promise((resolve) => setTimeout(resolve, 2_500))
      const keys = Array.from({ length: 60 }, (_, index) => `order-${index}`)
      await publisher.publish(
        topic,
        keys.map((key) => ({ key, value: key })),
      )
      await eventually(
        async () => first.length + second.length,
        (count) => count >= keys.length,
      )
      await new Promise((resolve) => setTimeout(resolve, 300))
      const values = [...first, ...second].map((message) => message.value)
      expect(values.sort()).toEqual([...keys].sort())
      expect(first.length).toBeGreaterThan(0)
      expect(second.length).toBeGreaterThan(0)
    })

    it('when many messages share a key, then they arrive in the order they were published', async () => {
      const transport = await open()
      const topic = uniqueTopic()
      const values = Array.from({ length: 50 }, (_, index) => String(index))
      for (const value of values) await transport.publish(topic, [{ key: 'same-order', value }])
      await transport.publish(
        topic,
        values.map((value) => ({ key: 'batched-order', value })),
      )
      const seen: DeliveredMessage[] = []
      await collect(transport, topic, 'ordered', seen)
      await eventually(
        async () => seen.length,
        (count) => count >= 100,
      )
      expect(seen.filter((message) => message.key === 'same-order').map((message) => message.value)).toEqual(
        values,
      )
      expect(
        seen.filter((message) => message.key === 'batched-order').map((message) => message.value),
      ).toEqual(values)
    })

    it('when a consumer restarts, then it resumes after its committed position and loses nothing', async () => {
      const topic = uniqueTopic()
      const publisher = await open()
      await publisher.publish(topic, [{ key: 'k1', value: 'before' }])
      const firstRun: DeliveredMessage[] = []
      const subscription = await collect(await open(), topic, 'restarting', firstRun)
      await eventually(
        async () => firstRun.length,
        (count) => count >= 1,
      )
      await subscription.close()
      await publisher.publish(topic, [
        { key: 'k2', value: 'while-away-1' },
        { key: 'k3', value: 'while-away-2' },
      ])
      const secondRun: DeliveredMessage[] = []
      await collect(await open(), topic, 'restarting', secondRun)
      await eventually(
        async () => secondRun.length,
        (count) => count >= 2,
      )
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(firstRun.map((message) => message.value)).toEqual(['before'])
      expect(secondRun.map((message) => message.value).sort()).toEqual(['while-away-1', 'while-away-2'])
    })

    it('when two groups subscribe to one topic, then each group receives every message', async () => {
      const transport = await open()
      const topic = uniqueTopic()
      await transport.publish(topic, [
        { key: 'x', value: '1' },
        { key: 'y', value: '2' },
      ])
      const billing: DeliveredMessage[] = []
      const audit: DeliveredMessage[] = []
      await collect(transport, topic, 'billing', billing)
      await collect(transport, topic, 'audit', audit)
      await eventually(
        async () => billing.length + audit.length,
        (count) => count >= 4,
      )
      expect(billing.map((message) => message.value).sort()).toEqual(['1', '2'])
      expect(audit.map((message) => message.value).sort()).toEqual(['1', '2'])
    })

    it('when connected, then it says so', async () => {
      expect(await (await open()).isConnected()).toBe(true)
    })
  })
}
