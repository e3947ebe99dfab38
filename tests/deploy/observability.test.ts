/**
 * What operators look at (deploy/observability): the alerting rules are a valid Prometheus rule
 * file (promtool checks them), each alert fires on the series that should raise it and stays
 * quiet on a healthy shop (promtool's rule unit tests), each links to its section of
 * docs/runbook.md, the dashboard's queries are valid PromQL, and every metric the rules and the
 * dashboard name is one the services really export: the three run as processes on the test
 * PostgreSQL, settle an order, and their /metrics are read.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parser } from '@prometheus-io/lezer-promql'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import { waitUntilFinal } from '../../scripts/lib/settle-waiter.ts'
import { shopClient } from '../../scripts/lib/shop-client.ts'
import { type RunningShop, startShop } from '../support/shop.ts'
import { FIRING, HEALTHY } from './observability/alert-scenarios.ts'
import { ROOT, read } from './support/repository.ts'
import { promtool } from './support/tools.ts'

const RULES_FILE = 'deploy/observability/alerts.yaml'
const DASHBOARD_FILE = 'deploy/observability/grafana-dashboard.json'
const RUNBOOK_FILE = 'docs/runbook.md'

interface AlertRule {
  alert: string
  expr: string
  for?: string
  labels: Record<string, string>
  annotations: Record<string, string>
}
interface Panel {
  title: string
  targets?: { expr: string }[]
}

const rules = (parse(read(RULES_FILE)) as { groups: { rules: AlertRule[] }[] }).groups.flatMap(
  (group) => group.rules,
)
const dashboard = JSON.parse(read(DASHBOARD_FILE)) as { panels: Panel[]; templating: unknown }
/** Grafana fills these in before Prometheus sees a query. */
const dashboardQueries = dashboard.panels.flatMap((panel) =>
  (panel.targets ?? []).map((target) => ({
    panel: panel.title,
    expr: target.expr.replaceAll('$__rate_interval', '5m'),
  })),
)
const work = mkdtempSync(join(tmpdir(), 'shop-observability-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** GitHub's anchor of a Markdown heading. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replaceAll(' ', '-')
const runbookSections = [...read(RUNBOOK_FILE).matchAll(/^## (.+)$/gm)].map((match) => match[1] as string)

/** The metric names a PromQL expression selects, read by the Prometheus project's own grammar. */
function metricNames(expr: string): { names: string[]; syntaxError: boolean } {
  const names: string[] = []
  let syntaxError = false
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) syntaxError = true
      if (node.name !== 'VectorSelector') return
      const identifier = node.node.getChild('Identifier')
      if (identifier) names.push(expr.slice(identifier.from, identifier.to))
    },
  })
  return { names, syntaxError }
}

describe('deploy/observability alerting rules', () => {
  it('gives each alert a severity, a summary, a description and a runbook link to its own section', () => {
    expect(rules.length).toBeGreaterThan(0)
    for (const rule of rules) {
      expect(['critical', 'warning'], rule.alert).toContain(rule.labels.severity)
      expect(rule.annotations.summary, rule.alert).toBeTruthy()
      expect(rule.annotations.description, rule.alert).toBeTruthy()
      expect(rule.annotations.runbook_url, rule.alert).toBe(`${RUNBOOK_FILE}#${anchorOf(rule.alert)}`)
    }
  })

  it('has one runbook section per alert, and no section for an alert that does not exist', () => {
    expect(runbookSections.sort()).toEqual(rules.map((rule) => rule.alert).sort())
  })

  it('covers what operators watch: service down, 5xx, latency, settlement, outbox, lag, failures and dead letters', () => {
    const watched = rules.map((rule) => rule.expr).join('\n')
    for (const fragment of [
      'process_start_time_seconds',
      'status_code=~"5.."',
      'http_request_duration_seconds_bucket',
      'consumer="orders.payment_finished"',
      'outbox_oldest_unpublished_age_seconds',
      'consumer_lag_messages',
      'outcome="failed"',
      'outcome="dead_lettered"',
    ])
      expect(watched).toContain(fragment)
  })
})

const tool = promtool('the promtool checks of the alerting rules and the dashboard')

describe.skipIf(!tool.command)('deploy/observability, checked by promtool', () => {
  const run = (args: string[]) =>
    execFileSync(tool.command as string, args, { encoding: 'utf8', stdio: 'pipe' })

  it('accepts the rule file', () => {
    expect(run(['check', 'rules', join(ROOT, RULES_FILE)])).toContain(`SUCCESS: ${rules.length} rules found`)
  })

  it("accepts every dashboard query, as Prometheus' own parser reads it", () => {
    const file = join(work, 'dashboard-queries.yaml')
    const recorded = dashboardQueries.map(({ expr }, index) => ({ record: `dashboard:query_${index}`, expr }))
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules: recorded }] }))
    expect(run(['check', 'rules', file])).toContain(`SUCCESS: ${recorded.length} rules found`)
  })

  it('fires each alert on its scenario, only after its `for`, and none on a healthy shop', () => {
    const byName = new Map(rules.map((rule) => [rule.alert, rule]))
    expect(FIRING.map((scenario) => scenario.alert).sort()).toEqual([...byName.keys()].sort())
    const render = (template: string, labels: Record<string, string>) =>
      template.replace(/\{\{\s*\$labels\.(\w+)\s*\}\}/g, (_, name: string) => labels[name] ?? '')
    const tests = [
      ...FIRING.map((scenario) => {
        const rule = byName.get(scenario.alert) as AlertRule
        const labels = { ...rule.labels, ...scenario.labels }
        const annotations = Object.fromEntries(
          Object.entries(rule.annotations).map(([key, value]) => [key, render(value, labels)]),
        )
        return {
          interval: '1m',
          input_series: scenario.series,
          alert_rule_test: [
            { eval_time: scenario.quietAt, alertname: scenario.alert, exp_alerts: [] },
            {
              eval_time: scenario.firesAt,
              alertname: scenario.alert,
              exp_alerts: [{ exp_labels: labels, exp_annotations: annotations }],
            },
          ],
        }
      }),
      {
        interval: '1m',
        input_series: HEALTHY,
        alert_rule_test: rules.map((rule) => ({ eval_time: '40m', alertname: rule.alert, exp_alerts: [] })),
      },
    ]
    const file = join(work, 'alerts.test.yaml')
    writeFileSync(file, stringify({ rule_files: [join(ROOT, RULES_FILE)], evaluation_interval: '1m', tests }))
    expect(run(['test', 'rules', file])).toContain('SUCCESS')
  })
})

describe('deploy/observability Grafana dashboard', () => {
  it('is a dashboard on a Prometheus data source chosen when it is imported', () => {
    expect(dashboard.templating).toMatchObject({ list: [{ type: 'datasource', query: 'prometheus' }] })
    expect(dashboardQueries.length).toBeGreaterThan(0)
    for (const { panel, expr } of dashboardQueries)
      expect(metricNames(expr).syntaxError, `${panel}: ${expr}`).toBe(false)
  })

  it('shows orders accepted and settled, settlement delay, outbox, lag, dead letters, 5xx and latency', () => {
    const shown = dashboardQueries.map(({ expr }) => expr).join('\n')
    for (const fragment of [
      'status_code="201"',
      'consumer="orders.payment_finished", outcome="handled"',
      'outbox_backlog_messages',
      'outbox_oldest_unpublished_age_seconds',
      'consumer_lag_messages',
      'outcome="dead_lettered"',
      'status_code=~"5.."',
      'histogram_quantile',
    ])
      expect(shown).toContain(fragment)
  })
})

describe('the metrics the rules and the dashboard name', () => {
  let shop: RunningShop
  const exported = new Set<string>()

  beforeAll(async () => {
    shop = await startShop()
    const api = shopClient(shop.gateway)
    const user = api.newUser()
    await api.openAccount(user, 10)
    const placed = await api.placeOrder(user, 1)
    const settled = await waitUntilFinal(api, user, placed.body.id, { timeoutMs: 20_000 })
    expect(settled.body.status).toBe('FINISHED')
    for (const service of shop.services.values()) {
      const text = await (await fetch(`${service.metricsUrl}/metrics`)).text()
      for (const [, name, type] of text.matchAll(/^# TYPE (\w+) (\w+)$/gm)) {
        exported.add(name as string)
        if (type === 'histogram' || type === 'summary')
          for (const suffix of ['_bucket', '_sum', '_count']) exported.add(`${name}${suffix}`)
      }
    }
  }, 60_000)
  afterAll(async () => shop?.stop())

  it('are exported by the services, every one', () => {
    const named = [...rules.map((rule) => rule.expr), ...dashboardQueries.map(({ expr }) => expr)].flatMap(
      (expr) => metricNames(expr).names,
    )
    expect(named.length).toBeGreaterThan(0)
    expect([...new Set(named)].filter((name) => !exported.has(name))).toEqual([])
  })
})
