import { PROBLEM_CONTENT_TYPE } from '@shop/platform'
import type { LightMyRequestResponse } from 'fastify'
import { expect } from 'vitest'

/** An RFC 9457 problem with the given status and stable code, served as application/problem+json. */
export function expectProblem(response: LightMyRequestResponse, status: number, code: string): void {
  expect({ status: response.statusCode, body: response.json() }).toMatchObject({
    status,
    body: { status, code, type: expect.any(String), title: expect.any(String) },
  })
  expect(String(response.headers['content-type']).split(';')[0]).toBe(PROBLEM_CONTENT_TYPE)
}
