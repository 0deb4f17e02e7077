import * as Equal from "effect/Equal"

/**
 * Structural equality of decoded values: primitives, arrays, plain objects and values that
 * implement `Equal` (DateTime, Schema classes).
 * @internal
 */
export const deepEqual = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false
  if (Equal.isEqual(a) || Equal.isEqual(b)) return Equal.equals(a, b)
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false
    return true
  }
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  if (ka.length !== kb.length) return false
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false
  }
  return true
}

/**
 * Whether a value counts as absent in a record: `undefined`, `null`, a blank string or an empty
 * array.
 * @internal
 */
export const isAbsent = (v: unknown): boolean =>
  v === undefined || v === null || (typeof v === "string" && v.trim().length === 0) ||
  (Array.isArray(v) && v.length === 0)
