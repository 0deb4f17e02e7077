import * as ParseResult from "effect/ParseResult"

/**
 * The shape of a JSON value with every string and number replaced by its type: enough to see why
 * a body did not decode, nothing that could be patient data.
 * @internal
 */
export const shapeOf = (value: unknown, depth = 0): string => {
  if (value === null) return "null"
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]"
    return depth > 3
      ? "[…]"
      : `[${shapeOf(value[0], depth + 1)}${value.length > 1 ? `, …${value.length - 1} more` : ""}]`
  }
  if (typeof value === "object") {
    if (depth > 3) return "{…}"
    const entries = Object.entries(value as Record<string, unknown>)
    return `{${entries.map(([k, v]) => `${safeKey(k)}: ${shapeOf(v, depth + 1)}`).join(", ")}}`
  }
  return `<${typeof value}>`
}

const safeKey = (key: string): string => (/^[A-Za-z_][A-Za-z0-9_.-]{0,40}$/.test(key) ? key : "<key>")

// Words that say what kind of error page a proxy sent; any other word could be a name.
const genericWords = new Set(
  ("error errors not found rate limit limited exceeded bad gateway service unavailable internal server timeout " +
    "timed out request requests too many html head body title nginx cloudflare forbidden unauthorized unauthorised " +
    "invalid json the a an is was of for to and or please try again later upstream connect connection reset refused " +
    "denied access gone method allowed unknown temporarily maintenance")
    .split(" ")
)

const maskText = (text: string): string =>
  text.replace(/[A-Za-z]+/g, (word) => (genericWords.has(word.toLowerCase()) ? word : "…"))
    .replace(/\d/g, "#")
    .replace(/\s+/g, " ")

/**
 * A short excerpt of a response body with patient data and secrets removed: the JSON shape, or
 * for a non-JSON body its first characters with digits and every uncommon word masked.
 * @internal
 */
export const excerpt = (text: string, limit = 240): string => {
  if (text.length === 0) return "(empty)"
  let shape: string
  try {
    shape = shapeOf(JSON.parse(text))
  } catch {
    shape = `text: ${maskText(text.slice(0, 160))}`
  }
  return shape.length > limit ? `${shape.slice(0, limit)}…` : shape
}

/**
 * Issues of a parse error as path and message, never the offending value (Effect's default
 * messages end with `, actual <value>`, which is cut).
 * @internal
 */
export const issuesOf = (error: ParseResult.ParseError): ReadonlyArray<{ path: string; message: string }> =>
  ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message.replace(/,?\s*actual[\s\S]*$/, "").replace(
      /"[^"]*"/g,
      (quoted) => quoted.length > 24 ? "\"…\"" : quoted
    )
  }))

/**
 * Where a body failed to decode: paths and issue kinds only.
 * @internal
 */
export const decodeFailureSummary = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error).slice(0, 5).map((issue) =>
    `${issue.path.map(String).join(".") || "(body)"} (${issue._tag})`
  ).join(", ")

const typeWords =
  /^(string|number|integer|boolean|bool|object|array|null|undefined|date|datetime|date-time|email|uuid|enum|literal|nonempty|non-empty|required|valid|an?|or|of|one|\s|[|,()[\]<>-])+$/i

/**
 * The documented validation issues with anything that could echo a value removed: a code or an
 * `expected` that is not a plain type description becomes `<redacted>`, odd path keys `<key>`.
 * @internal
 */
export const safeIssue = (
  issue: { readonly code: string; readonly expected: string; readonly path: ReadonlyArray<unknown> }
) => ({
  code: /^[A-Za-z_.-]{1,64}$/.test(issue.code) ? issue.code : "<redacted>",
  expected: issue.expected.length <= 80 && typeWords.test(issue.expected) ? issue.expected : "<redacted>",
  path: issue.path.map((key) =>
    typeof key === "number" || (typeof key === "string" && /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(key)) ? key : "<key>"
  )
})
