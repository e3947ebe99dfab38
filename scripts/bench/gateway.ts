/**
 * `npm run bench:gateway`: what the gateway itself costs, without the rest of the shop sharing
 * the CPU. An upstream that answers `POST /orders` at once (a canned 201) runs in a child process,
 * the real gateway in front of it, and a closed loop of keep-alive clients drives each in turn for
 * the same time: req/s and latency straight to the upstream and through the gateway, and the
 * gateway's CPU per request. Prints only; nothing is recorded or asserted.
 *
 * Options: `--seconds 8`, `--connections 64`, `--users 2000` (distinct X-User-Id values, so the
 * per-user rate limit does not answer instead of the gateway), `--profile` (the gateway runs with
 * --cpu-prof; its self time is summarised).
 */
import { type ChildProcess, fork } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtemp, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { freePort, startServiceProcess } from '../lib/launcher/service-process.ts'
import { closedLoop, OrderClient } from './lib/load.ts'
import { UsageWindow } from './lib/procstat.ts'
import { formatSummary, summarizeProfile } from './lib/profile.ts'
import { distribution } from './lib/stats.ts'

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    connections: { type: 'string', default: '64' },
    users: { type: 'string', default: '2000' },
    profile: { type: 'boolean', default: false },
    upstream: { type: 'string' },
  },
})

const CANNED_ORDER = JSON.stringify({
  id: randomUUID(),
  user_id: randomUUID(),
  amount: 1,
  description: null,
  status: 'NEW',
  created_at: new Date().toISOString(),
})

if (args.upstream) {
  // The child: an upstream that answers every request with the canned order.
  const { createServer } = await import('node:http')
  const server = createServer((request, response) => {
    request.resume()
    request.on('end', () => {
      response.writeHead(201, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(CANNED_ORDER),
      })
      response.end(CANNED_ORDER)
    })
  })
  server.listen(Number(args.upstream), '127.0.0.1', () => process.send?.('listening'))
} else {
  await main()
}

async function main(): Promise<void> {
  const seconds = Number(args.seconds)
  const connections = Number(args.connections)
  const users = Array.from({ length: Number(args.users) }, () => randomUUID())
  const upstreamPort = await freePort()
  const upstream: ChildProcess = fork(new URL(import.meta.url).pathname, ['--upstream', String(upstreamPort)])
  await new Promise((resolve) => upstream.once('message', resolve))
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}`
  const profileDir = args.profile ? await mkdtemp(join(tmpdir(), 'gateway-profile-')) : undefined
  const gateway = await startServiceProcess({
    name: 'api-gateway',
    port: await freePort(),
    output: 'ignore',
    env: {
      LOG_LEVEL: 'warn',
      ORDERS_SERVICE_URL: upstreamUrl,
      PAYMENTS_SERVICE_URL: upstreamUrl,
      NODE_OPTIONS: profileDir ? `--cpu-prof --cpu-prof-dir=${profileDir}` : '',
    },
  })
  try {
    let next = 0
    const drive = async (origin: string) => {
      const client = new OrderClient(origin, connections)
      const latencies: number[] = []
      let failures = 0
      const send = async () => {
        const placed = await client.placeOrder(users[next++ % users.length] as string)
        if (placed.status === 201) latencies.push(placed.ms)
        else failures += 1
      }
      // A short warm-up, then the measured loop.
      await closedLoop({ concurrency: connections, durationMs: 2_000, send })
      latencies.length = 0
      const usage = new UsageWindow([
        { name: 'gateway', pid: gateway.child.pid as number },
        { name: 'upstream', pid: upstream.pid as number },
        { name: 'bench', pid: process.pid },
      ])
      const loop = await closedLoop({ concurrency: connections, durationMs: seconds * 1000, send })
      const report = usage.finish()
      await client.close()
      return {
        perSecond: Math.round(latencies.length / loop.seconds),
        ms: distribution(latencies),
        failures,
        cpu: report.processes,
        busy: report.machine.busyPercent,
      }
    }
    const direct = await drive(upstreamUrl)
    const via = await drive(gateway.url)
    const gatewayCpuMs = ((via.cpu.gateway?.cpuPercent ?? 0) * 10) / Math.max(1, via.perSecond)
    const line = (name: string, run: typeof direct) =>
      `${name.padEnd(16)} ${String(run.perSecond).padStart(7)} req/s   p50 ${run.ms.p50} ms   p99 ${run.ms.p99} ms   failed ${run.failures}   CPU % gateway ${run.cpu.gateway?.cpuPercent} · upstream ${run.cpu.upstream?.cpuPercent} · bench ${run.cpu.bench?.cpuPercent}   machine busy ${run.busy}%`
    console.log(`${connections} keep-alive clients, closed loop, ${seconds} s each, POST /orders`)
    console.log(line('upstream direct', direct))
    console.log(line('via the gateway', via))
    console.log(
      `gateway: ${gatewayCpuMs.toFixed(3)} ms of CPU per request; p50 overhead ${((via.ms.p50 ?? 0) - (direct.ms.p50 ?? 0)).toFixed(2)} ms`,
    )
  } finally {
    await gateway.stop()
    upstream.kill()
  }
  if (profileDir) {
    const file = (await readdir(profileDir)).find((name) => name.endsWith('.cpuprofile'))
    if (file)
      console.log(
        `\n${formatSummary('api-gateway', summarizeProfile(join(profileDir, file), undefined, 25), 20)}`,
      )
  }
}
