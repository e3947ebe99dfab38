import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const module = fileURLToPath(new URL('../src/crash-points.ts', import.meta.url))
const script = `import { crashPoint } from ${JSON.stringify(module)}; crashPoint('relay.after_publish'); console.log('survived')`

const run = (setting: string | undefined) =>
  spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, SHOP_CRASH_POINTS: setting },
    encoding: 'utf8',
  })

describe('crashPoint', () => {
  it('when the point is armed with probability 1, then the process dies as if killed', () => {
    const result = run('consumer.after_commit=0,relay.after_publish=1')
    expect(result.signal).toBe('SIGKILL')
    expect(result.stdout).not.toContain('survived')
  })

  it.each([undefined, '', 'consumer.after_commit=1', 'relay.after_publish=0', 'relay.after_publish=nope'])(
    'when SHOP_CRASH_POINTS is %j, then the point does nothing',
    (setting) => {
      const result = run(setting)
      expect(result.status).toBe(0)
      expect(result.stdout).toContain('survived')
    },
  )
})
