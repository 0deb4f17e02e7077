/**
 * The single list of test projects. The root `vitest.config.ts` reads it into `test.projects`
 * (vitest 3.2 deprecates loading this file directly; reading it keeps one list without the warning).
 */
export default [
  "packages/schema",
  "packages/client",
  "packages/sandbox",
  "packages/workflows",
  "examples",
  "scripts"
]
