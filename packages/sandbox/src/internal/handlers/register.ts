/**
 * Registration (both writes): by the patient's details (create, or update on the same NHS number
 * and date of birth), and through a PDS trace (registered, or an identity check first).
 *
 * @internal
 */
import {
  RegisterPatientPdsRequest,
  RegisterPatientPdsResult,
  RegisterPatientRequest,
  RegisterPatientResult
} from "@hero-effect/schema/Registration"
import * as Effect from "effect/Effect"
import type { OperationId } from "../../Faults.js"
import type { OpResult } from "../outcomes.js"
import { encoded } from "../outcomes.js"
import * as W from "../world.js"
import type { Handler } from "./context.js"
import { isFailure } from "./context.js"

/** @internal */
export const registerPatient: Handler = (c) =>
  c.withBody(RegisterPatientRequest, (body) =>
    Effect.map(
      c.write((state, now) => W.register(state, body, now)),
      (r): OpResult =>
        isFailure(r)
          ? r
          : encoded(RegisterPatientResult, { _tag: "PatientRegistered" as const, patientId: r }, c.config)
    ))

/** @internal */
export const registerPatientPds: Handler = (c) =>
  c.withBody(RegisterPatientPdsRequest, (body) =>
    Effect.map(
      c.write((state, now) => W.registerPds(state, body, now)),
      (r): OpResult =>
        isFailure(r)
          ? r
          : r._tag === "Registered"
          ? encoded(RegisterPatientPdsResult, { _tag: "PatientRegistered", patientId: r.id }, c.config)
          : encoded(RegisterPatientPdsResult, {
            _tag: "IdentityCheckRequired",
            message: "The patient must verify their identity before they can be registered",
            loginUrl: r.loginUrl
          }, c.config)
    ))

/** This module's operations, by operationId (`handlers.ts` merges every module's). @internal */
export const handlers = { registerPatient, registerPatientPds } as const satisfies {
  readonly [K in OperationId]?: Handler
}
