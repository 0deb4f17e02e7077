// Shared by the review page tests: an in-process client for an HttpApp (requests built with
// `HttpServerRequest.fromWeb`, run in the test's fiber so the TestClock applies) with a cookie
// jar, and the pieces of HTML the tests read.
import type { HttpApp } from "@effect/platform"
import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"

export const host = "127.0.0.1:8123"
export const origin = `http://${host}`

export interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly location: string | null
  readonly setCookies: ReadonlyArray<string>
  readonly text: string
}

export interface RequestOptions {
  readonly form?: Record<string, string> | undefined
  readonly headers?: Record<string, string> | undefined
}

/** A client of one browser: keeps the cookies the app sets (name=value only). */
export const client = (app: HttpApp.Default) => {
  const jar = new Map<string, string>()
  const request = (method: "GET" | "POST", path: string, options: RequestOptions = {}) =>
    Effect.gen(function*() {
      const body = options.form === undefined ? undefined : new URLSearchParams(options.form).toString()
      const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ")
      const web = new Request(`${origin}${path}`, {
        method,
        ...(body === undefined ? {} : { body }),
        headers: {
          host,
          ...(body === undefined ? {} : { "content-type": "application/x-www-form-urlencoded" }),
          ...(cookie.length === 0 ? {} : { cookie }),
          ...options.headers
        }
      })
      const response = yield* Effect.scoped(
        Effect.provideService(app, HttpServerRequest.HttpServerRequest, HttpServerRequest.fromWeb(web))
      )
      const out = HttpServerResponse.toWeb(response)
      const setCookies = out.headers.getSetCookie()
      for (const line of setCookies) {
        const [pair = "", ...attributes] = line.split(";").map((s) => s.trim())
        const eq = pair.indexOf("=")
        const name = pair.slice(0, eq)
        const value = pair.slice(eq + 1)
        const expired = attributes.some((a) => /^max-age=0$/i.test(a)) || value.length === 0
        if (expired) jar.delete(name)
        else jar.set(name, value)
      }
      const reply: Reply = {
        status: out.status,
        headers: out.headers,
        location: out.headers.get("location"),
        setCookies,
        text: yield* Effect.promise(() => out.text())
      }
      return reply
    })
  return {
    jar,
    get: (path: string, options?: RequestOptions) => request("GET", path, options),
    post: (path: string, options?: RequestOptions) => request("POST", path, options),
    signIn: (reviewer: string, token: string) => request("POST", "/review/login", { form: { reviewer, token } })
  }
}

/** The CSRF token of a page's forms. */
export const csrfOf = (html: string): string => {
  const found = /name="csrf" value="([^"]+)"/.exec(html)
  if (found === null) throw new Error("no CSRF field on the page")
  return found[1]!
}

// The same fixtures as the API's tests.
export { guardReview, mergeRequest } from "./review.js"
