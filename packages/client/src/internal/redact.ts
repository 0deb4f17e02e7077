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

const safeKey = (key: string): string => (safeCode(key) !== undefined ? key : "<key>")

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

// The words a machine code or a field name is made of, on this API and the like: a code or path
// key built from anything else (a digit run, a name) is not passed on. Server-sent codes reach
// errors, logs, journals and reports; a server that embeds an NHS number or a name in a code must
// not get it there.
const codeWords = new Set(
  ("access address already and archived auth bad before body caller check code conflict connect connected country " +
    "county data deceased denied dob duplicate ehr email emis error exists expired failed field first for forbidden " +
    "found gha group hero id identifiers identity in incoming internal invalid is key landline last limit line linked " +
    "locked main merge merged mismatch missing mobile name needed network nhs no not number of other partner patient " +
    "patients pds practice preview rate record registered request required restricted result same scope search self " +
    "server sex source stale status taken title to token too town type uid unauthorised unauthorized unknown used user " +
    "validation value version postcode pair match one two three small big string enum union date literal keys " +
    "unrecognized unrecognised custom multiple format pattern length min max minimum maximum long short empty " +
    "additional properties property const schema array object boolean integer intersection arguments return " +
    "expected received too large payload content unsupported media method allowed")
    .split(" ")
)

/**
 * A server-sent code or key reduced to the safe vocabulary: lower-case words from the code
 * vocabulary joined by `_`, `.` or `-` (at most eight), or `undefined` for anything else.
 * @internal
 */
export const safeCode = (code: string): string | undefined => {
  if (code.length === 0 || code.length > 64 || !/^[A-Za-z][A-Za-z_.-]*$/.test(code)) return undefined
  const words = code.toLowerCase().split(/[_.-]+/).filter((w) => w.length > 0)
  const digitsOrName = words.length === 0 || words.length > 8 || words.some((w) => !codeWords.has(w))
  return digitsOrName ? undefined : code
}

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
  code: safeCode(issue.code) ?? "<redacted>",
  expected: issue.expected.length <= 80 && typeWords.test(issue.expected) ? issue.expected : "<redacted>",
  path: issue.path.map((key) =>
    typeof key === "number" ? key : typeof key === "string" && safeCode(key) !== undefined ? key : "<key>"
  )
})
