import { describe, expectTypeOf, it } from "@effect/vitest"
import type { Service as HeroHealthClientService } from "@hero-effect/client/HeroHealthClient"
import type {
  CommonError,
  Conflict,
  PatientError,
  PatientNotFound,
  PatientWriteError
} from "@hero-effect/client/HeroHealthError"
import type { Effect } from "effect"

type ErrorOf<F> = F extends (...args: Array<any>) => Effect.Effect<any, infer E, any> ? E : never

// Checked by tsc -b: each method's error channel names only what its operation can produce.
describe("error channels per operation", () => {
  it("lists cannot fail with PatientNotFound or Conflict", () => {
    expectTypeOf<ErrorOf<HeroHealthClientService["listPatients"]>>().toEqualTypeOf<CommonError>()
    expectTypeOf<ErrorOf<HeroHealthClientService["listPatientsV3"]>>().toEqualTypeOf<CommonError>()
    expectTypeOf<PatientNotFound>().not.toMatchTypeOf<ErrorOf<HeroHealthClientService["listPatientsV2"]>>()
  })

  it("reads by id add PatientNotFound, not Conflict", () => {
    expectTypeOf<ErrorOf<HeroHealthClientService["getPatientById"]>>().toEqualTypeOf<PatientError>()
    expectTypeOf<Conflict>().not.toMatchTypeOf<ErrorOf<HeroHealthClientService["getPatientById"]>>()
  })

  it("connect, preview and merge add Conflict", () => {
    expectTypeOf<ErrorOf<HeroHealthClientService["mergePatient"]>>().toEqualTypeOf<PatientWriteError>()
    expectTypeOf<ErrorOf<HeroHealthClientService["connectPatientEhr"]>>().toEqualTypeOf<PatientWriteError>()
  })

  it("no platform error leaks into any channel", () => {
    type All = ErrorOf<HeroHealthClientService[Exclude<keyof HeroHealthClientService, "streamPatientsV3">]>
    expectTypeOf<All["_tag"]>().toEqualTypeOf<PatientWriteError["_tag"]>()
  })
})
