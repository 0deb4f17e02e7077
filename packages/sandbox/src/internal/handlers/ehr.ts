/**
 * The EHR link: the EHR records that might be the path's patient, and connecting the patient to
 * one of them (a write; relinking as configured).
 *
 * @internal
 */
import { ConnectPatientEhrRequest } from "@hero-effect/schema/EhrConnection"
import { EhrCandidateList } from "@hero-effect/schema/ListEnvelope"
import * as Effect from "effect/Effect"
import type { OperationId } from "../../Faults.js"
import type { OpResult } from "../outcomes.js"
import { encoded, success } from "../outcomes.js"
import * as W from "../world.js"
import type { Handler } from "./context.js"
import { isFailure } from "./context.js"

/** @internal */
export const listPatientEhrCandidates: Handler = (c) =>
  c.read((state) => {
    const found = W.candidates(state, c.pathId, c.config.candidateMatching)
    return isFailure(found) ? found : encoded(EhrCandidateList, { data: found, count: found.length }, c.config)
  })

/** @internal */
export const connectPatientEhr: Handler = (c) =>
  c.withBody(ConnectPatientEhrRequest, (body) =>
    Effect.map(
      c.write((state, now) => W.connect(state, c.pathId, body.ehrPartnerId, c.config.relink, now)),
      (r): OpResult => (isFailure(r) ? r : success(undefined))
    ))

/** This module's operations, by operationId (`handlers.ts` merges every module's). @internal */
export const handlers = { listPatientEhrCandidates, connectPatientEhr } as const satisfies {
  readonly [K in OperationId]?: Handler
}
