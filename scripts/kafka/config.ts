// The files a single-node KRaft broker needs: server.properties, a log4j2
// config, and a cluster id for the storage formatter.

import { randomBytes } from 'node:crypto'
import type { ServerPorts } from './ports.ts'

export function serverProperties({ port, controllerPort }: ServerPorts, storageDir: string): string {
  return [
    // One JVM is both controller and broker; a static voter set means the
    // storage can be formatted without --standalone.
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${storageDir}`,
    // Internal topics default to 3 replicas, which one broker can never host:
    // consumer groups and transactions would hang without these.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    // Tests should not wait 3 s for a group's first rebalance.
    'group.initial.rebalance.delay.ms=0',
    // Consumer groups (KIP-848): a member silent for 2.5 s is dead, and the survivors get its
    // partitions at their next heartbeat, 0.5 s apart, so a SIGKILLed consumer's work resumes
    // within about 3 s instead of the default 45 s. A live member is evicted only if no heartbeat
    // leaves it for 2 s or more (four in a row missed), far beyond a GC pause; it then rejoins.
    // The broker refuses values below its minimums, which default to 45 s and 5 s.
    'group.consumer.session.timeout.ms=2500',
    'group.consumer.min.session.timeout.ms=2500',
    'group.consumer.heartbeat.interval.ms=500',
    'group.consumer.min.heartbeat.interval.ms=500',
    // The cleaner would otherwise take 128 MiB of the 512 MiB heap up front.
    'log.cleaner.dedupe.buffer.size=2097152',
    '',
  ].join('\n')
}

// Kafka logs ~1000 INFO lines at startup; keep the file to warnings and the
// lifecycle lines ("Kafka Server started", shutdown) that help when debugging.
export function log4jProperties(logFile: string): string {
  return [
    'status = warn',
    // log4j's own shutdown hook races Kafka's, and the shutdown lines (and
    // any error in them) would be lost to a stderr fallback logger.
    'shutdownHook = disable',
    'appender.file.type = File',
    'appender.file.name = file',
    `appender.file.fileName = ${logFile}`,
    'appender.file.layout.type = PatternLayout',
    'appender.file.layout.pattern = [%d] %p %m (%c)%n',
    'rootLogger.level = warn',
    'rootLogger.appenderRef.file.ref = file',
    'logger.lifecycle.name = kafka.server.KafkaRaftServer',
    'logger.lifecycle.level = info',
    '',
  ].join('\n')
}

// Same shape as Kafka's Uuid.randomUuid().toString(): 16 random bytes,
// base64url without padding. Kafka also never hands out an id starting with
// '-', since the formatter's argument parser would take it for an option.
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url')
    if (!id.startsWith('-')) return id
  }
}
