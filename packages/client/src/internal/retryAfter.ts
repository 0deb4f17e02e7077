/**
 * Parses `Retry-After`: delta-seconds or an HTTP date. Returns milliseconds from `nowMillis`, or
 * undefined when absent or unreadable.
 * @internal
 */
export const parseRetryAfter = (header: string | undefined, nowMillis: number): number | undefined => {
  if (header === undefined) return undefined
  const value = header.trim()
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000)
  const date = Date.parse(value)
  if (Number.isNaN(date) || !/[a-z]/i.test(value)) return undefined
  return Math.max(0, date - nowMillis)
}
