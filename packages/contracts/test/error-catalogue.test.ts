import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ErrorCatalogue } from '../src/errors.ts'

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')
const entries = Object.values(ErrorCatalogue)

/** The rows of README's error code table: `| \`code\` | status | title |`. */
const documentedRows = () =>
  [...README.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \| ([^|]+) \|$/gm)].map(([, code, status, title]) => ({
    code,
    status: Number(status),
    title: title?.trim(),
  }))

describe('the error catalogue', () => {
  it('when two entries are compared, then no two share a code', () => {
    const codes = entries.map((entry) => entry.code)
    expect(codes.filter((code, index) => codes.indexOf(code) !== index)).toEqual([])
  })

  it('when README lists the error codes, then it names every code with its status and title, and no other', () => {
    expect(documentedRows()).toEqual(entries.map(({ code, status, title }) => ({ code, status, title })))
  })
})
