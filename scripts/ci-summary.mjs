// Prints the closing line CI reads, `N passed, N failed` (plus `, N skipped` when some tests were
// skipped or todo), from vitest's JSON report.
//
//   node scripts/ci-summary.mjs <vitest.json> [--status <exit code of the run>]
//
// A missing or unreadable report counts as one failure. With `--status`, a failed run (type-check,
// lint, a test file that did not load) never reads as `0 failed`. Exits 1 when anything failed.
import * as Fs from "node:fs"

const args = process.argv.slice(2)
const statusIndex = args.indexOf("--status")
const status = statusIndex === -1 ? 0 : Number(args[statusIndex + 1] ?? 0)
const reportPath = args.find((arg, i) => !arg.startsWith("--") && args[i - 1] !== "--status")

const count = (value) => (Number.isInteger(value) && value > 0 ? value : 0)

const readReport = (path) => {
  if (path === undefined || !Fs.existsSync(path)) return undefined
  try {
    const report = JSON.parse(Fs.readFileSync(path, "utf8"))
    return typeof report === "object" && report !== null ? report : undefined
  } catch {
    return undefined
  }
}

const report = readReport(reportPath)

let passed = 0
let failed = 1
let skipped = 0
if (report !== undefined) {
  passed = count(report.numPassedTests)
  failed = count(report.numFailedTests)
  skipped = count(report.numPendingTests) + count(report.numTodoTests)
  // A test file that fails to load, or an unhandled error, fails the run without failing a test.
  if (failed === 0 && (count(report.numFailedTestSuites) > 0 || report.success === false)) {
    failed = Math.max(1, count(report.numFailedTestSuites))
  }
}
if (failed === 0 && Number.isFinite(status) && status !== 0) failed = 1

process.stdout.write(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}\n`)
process.exitCode = failed > 0 ? 1 : 0
