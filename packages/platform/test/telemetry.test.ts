import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SERVICE_NODE_OPTIONS } from '../../../scripts/lib/launcher/service-process.ts'
import { eventually } from '../../../tests/support/eventually.ts'
import { type OtlpReceiver, startOtlpReceiver } from '../../../tests/support/otlp-receiver.ts'

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url))
const fixture = (name: string) => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url))

/**
 * Runs the traced work as a service runs (with the same `--import` of the instrumentations), with
 * only the given OTEL_* variables, and returns the OpenTelemetry modules it loaded.
 */
async function runTracedWork(otel: Record<string, string>): Promise<string[]> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OTEL_')))
  const child = spawn(
    process.execPath,
    ['--import', fixture('module-recorder.ts'), ...SERVICE_NODE_OPTIONS, fixture('traced-work.ts')],
    { cwd: REPO_ROOT, env: { ...env, ...otel }, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  let output = ''
  child.stdout.on('data', (chunk) => {
    output += chunk
  })
  const [code] = await once(child, 'exit')
  expect(code).toBe(0)
  const last = output.trim().split('\n').at(-1) ?? '{}'
  return (JSON.parse(last) as { telemetry: string[] }).telemetry
}

const packagesIn = (urls: string[]) =>
  new Set(urls.map((url) => /\/node_modules\/(@opentelemetry\/[^/]+)\//.exec(url)?.[1]))

describe('tracing, on only when an OTLP endpoint is set', () => {
  let receiver: OtlpReceiver

  beforeAll(async () => {
    receiver = await startOtlpReceiver()
  })
  afterAll(async () => {
    await receiver?.close()
  })

  it('when no OTLP endpoint is set, then no OpenTelemetry module is loaded and nothing is exported', async () => {
    expect(await runTracedWork({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toEqual([])
    expect(receiver.contentTypes).toEqual([])
  })

  it('when an endpoint is set but OTEL_SDK_DISABLED is true, then nothing is loaded either', async () => {
    const loaded = await runTracedWork({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SDK_DISABLED: 'TRUE',
    })
    expect(loaded).toEqual([])
    expect(receiver.contentTypes).toEqual([])
  })

  it('when OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set, then the SDK and instrumentations load and the spans reach it under the service name', async () => {
    const loaded = packagesIn(
      await runTracedWork({
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      }),
    )
    for (const name of [
      'sdk-trace',
      'instrumentation-http',
      'instrumentation-pg',
      'exporter-trace-otlp-http',
    ])
      expect(loaded).toContain(`@opentelemetry/${name}`)
    const spans = await eventually(
      async () => receiver.spans,
      (spans) => spans.length >= 2,
    )
    expect(spans.map(({ service, kind, name }) => ({ service, kind, name }))).toEqual(
      expect.arrayContaining([
        { service: 'traced-work', kind: 'SERVER', name: 'GET /work' },
        { service: 'traced-work', kind: 'CONSUMER', name: 'process work' },
      ]),
    )
  })
})
