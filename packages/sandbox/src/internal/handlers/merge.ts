/**
 * Merging two patients: the preview (the merged patient and a merge token valid for
 * `mergeTokenTtl`) and the merge that carries a previewed token out (both writes).
 *
 * @internal
 */
import { MergePatientRequest, MergePreview, PreviewPatientMergeRequest } from "@hero-effect/schema/Merge"
import { makeMergeToken, mergeTokenValue } from "@hero-effect/schema/MergeToken"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { OperationId } from "../../Faults.js"
import type { OpResult } from "../outcomes.js"
import { encoded, success } from "../outcomes.js"
import * as W from "../world.js"
import type { Handler } from "./context.js"
import { isFailure } from "./context.js"

/** @internal */
export const previewPatientMerge: Handler = (c) =>
  c.withBody(PreviewPatientMergeRequest, (body) =>
    Effect.map(
      c.write((state, now) =>
        W.preview(state, c.pathId, body.incomingPatientId, now, Duration.toMillis(c.config.mergeTokenTtl))
      ),
      (r): OpResult =>
        isFailure(r) ? r : encoded(MergePreview, {
          mainPatient: r.main,
          incomingPatient: r.incoming,
          resultPatient: r.result,
          mergeToken: makeMergeToken(r.token)
        }, c.config)
    ))

/** @internal */
export const mergePatient: Handler = (c) =>
  c.withBody(MergePatientRequest, (body) =>
    Effect.map(
      c.write((state, now) => W.merge(state, c.pathId, body.incomingPatientId, mergeTokenValue(body.mergeToken), now)),
      (r): OpResult => (isFailure(r) ? r : success(undefined))
    ))

/** This module's operations, by operationId (`handlers.ts` merges every module's). @internal */
export const handlers = { previewPatientMerge, mergePatient } as const satisfies {
  readonly [K in OperationId]?: Handler
}
