import type { Fault, FaultPlan, FaultState, OperationId } from "../Faults.js"
import * as Prng from "./prng.js"

/** @internal */
export const initialState = (plan: FaultPlan): FaultState => ({
  calls: new Map(),
  streams: plan.map((rule) => ("seed" in rule ? Prng.seedOf(rule.seed) : 0))
})

/** @internal */
export const decide = (
  plan: FaultPlan,
  state: FaultState,
  operation: OperationId
): readonly [{ readonly fault: Fault | undefined; readonly call: number }, FaultState] => {
  const calls = new Map(state.calls)
  const call = (calls.get(operation) ?? 0) + 1
  const global = (calls.get("*") ?? 0) + 1
  calls.set(operation, call)
  calls.set("*", global)
  const streams = [...state.streams]
  let fault: Fault | undefined
  for (let i = 0; i < plan.length && fault === undefined; i++) {
    const rule = plan[i]!
    if (rule.operation !== "*" && rule.operation !== operation) continue
    if ("nth" in rule) {
      if (rule.nth.includes(rule.operation === "*" ? global : call)) fault = rule.fault
    } else {
      const prng = Prng.resume(streams[i]!)
      const fires = prng.next() < rule.probability
      const choice = prng.next()
      streams[i] = prng.state()
      if (fires && rule.faults.length > 0) {
        fault = rule.faults[Math.min(rule.faults.length - 1, Math.floor(choice * rule.faults.length))]
      }
    }
  }
  return [{ fault, call }, { calls, streams }]
}

/** A 200 body that is valid JSON but breaks the operation's documented schema. @internal */
export const schemaBreakingBody = (operation: OperationId): unknown => {
  switch (operation) {
    case "getPatientById":
    case "getPatientByIdV2":
      return { id: 12345, dob: 0, status: 7, identifiers: "none", ehr_registered: "yes", data_source: 1 }
    case "listPatientEhrCandidates":
    case "listPatients":
    case "listPatientsV2":
    case "listPatientsV3":
    case "listPatientAttachments":
      return { data: "not-a-list", count: "many" }
    case "previewPatientMerge":
      return { main_patient: null, merge_token: 7 }
    case "registerPatient":
    case "registerPatientPds":
      return { patient_id: 12345, message: 7, login_url: false }
    case "patientBillingInfo":
      return { id: 7, confidential: "yes", insurance: "none" }
    case "listPatientPaymentMethods":
      return "not an object"
    case "connectPatientEhr":
    case "mergePatient":
      return "unexpected body"
  }
}
