/** @internal */
export type Reason = "length" | "non-digit" | "check-digit" | "repeated-digit"

/** @internal */
export type Classified =
  | { readonly _tag: "Valid"; readonly canonical: string }
  | { readonly _tag: "Invalid"; readonly reason: Reason; readonly hint: string }

// The 3-3-4 display forms: all spaces or all hyphens, never mixed.
const grouped = /^(\d{3})([ -])(\d{3})\2(\d{4})$/
const digitsOnly = /^\d+$/

/** @internal */
export const reasonText: Record<Reason, string> = {
  "length": "must have exactly 10 digits",
  "non-digit": "must contain only digits, optionally grouped 3-3-4 with spaces or hyphens",
  "check-digit": "fails the Modulus 11 check digit",
  "repeated-digit": "is one digit repeated ten times"
}

/**
 * A hint safe for logs: at most the last 3 digits, and only when the input is long enough that
 * they cannot identify it on their own.
 * @internal
 */
export const safeHint = (input: string): string => {
  const digits = input.replace(/\D/g, "")
  return digits.length >= 7 ? `ending ${digits.slice(-3)}` : "(value withheld)"
}

/** Modulus 11 with weights 10..2; `undefined` when the check digit would be 10 (never issued). @internal */
export const checkDigit = (firstNine: string): number | undefined => {
  let sum = 0
  for (let i = 0; i < 9; i++) sum += (firstNine.charCodeAt(i) - 48) * (10 - i)
  const check = 11 - (sum % 11)
  return check === 11 ? 0 : check === 10 ? undefined : check
}

/** @internal */
export const classify = (input: string): Classified => {
  const trimmed = input.trim()
  const match = grouped.exec(trimmed)
  const canonical = match ? `${match[1]}${match[3]}${match[4]}` : trimmed
  const invalid = (reason: Reason): Classified => ({ _tag: "Invalid", reason, hint: safeHint(input) })
  if (!digitsOnly.test(canonical)) return canonical.length === 0 ? invalid("length") : invalid("non-digit")
  if (canonical.length !== 10) return invalid("length")
  if (/^(\d)\1{9}$/.test(canonical)) return invalid("repeated-digit")
  if (checkDigit(canonical.slice(0, 9)) !== canonical.charCodeAt(9) - 48) return invalid("check-digit")
  return { _tag: "Valid", canonical }
}

/** @internal */
export const isCanonical = (s: string): boolean => {
  const c = classify(s)
  return c._tag === "Valid" && c.canonical === s
}

/** @internal */
export const message = (reason: Reason, hint: string): string => `Invalid NHS number ${hint}: ${reasonText[reason]}`

/** @internal */
export const mask = (value: string): string => `NHS number ${safeHint(value)}`
