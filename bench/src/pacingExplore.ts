/**
 * Runs pacing scenarios given on the command line, for exploring client settings:
 *
 *   tsx --conditions=@hero-effect/source bench/src/pacingExplore.ts '<options JSON>' '<scenarios JSON>'
 *
 * e.g. '{"serverLimit":20,"calls":200,"runs":5}' '[{"name":"m100","workers":1,"store":"memory",
 * "serverWindow":"sliding","rateLimit":{"limit":20,"interval":"1 second","margin":"100 millis"},"goal":true}]'
 * Prints each run, then the rows as JSON.
 */
import * as Pacing from "./pacing.js"

const [optionsJson, scenariosJson] = process.argv.slice(2)
const options = JSON.parse(optionsJson!) as Pacing.PacingOptions
const scenarios = JSON.parse(scenariosJson!) as ReadonlyArray<Pacing.PacingScenario>
Pacing.run(options, scenarios).then(
  (result) => {
    console.log(JSON.stringify(result, null, 1))
    process.exit(0)
  },
  (e) => {
    console.error(e)
    process.exit(1)
  }
)
