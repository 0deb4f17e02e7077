/**
 * A short tour of @hero-effect/schema: decoding and formatting an NHS number, rejecting an invalid
 * one, and decoding a wire patient (snake_case JSON) into the camelCase domain model.
 *
 * Like every example, it prints field names, shapes and checks, never a value that identifies a
 * person (not even the NHS's own test number): output ends up in terminals, CI logs and tickets.
 *
 * Run with `pnpm start` from the repository root (the main job until the workflows package lands).
 * Nothing here throws: every decode returns an Either, and the program's error type is `never`.
 */
import { formatNhsNumber, NhsNumber } from "@hero-effect/schema/NhsNumber"
import { PatientV1 } from "@hero-effect/schema/Patient"
import { Console, Effect, Either, ParseResult, Schema } from "effect"

// Only the first issue's message: the schema's messages never repeat a rejected NHS number.
const firstMessage = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)[0]?.message ?? "invalid"

const wirePatient = {
  id: "1001",
  dob: "1989-04-11",
  data_source: "emis",
  status: "unarchived",
  first_name: "Ada",
  last_name: "Lovelace",
  nhs_number: "9434765919",
  title: "Ms"
}

const program = Effect.gen(function*() {
  yield* Console.log("hero-effect schema tour")

  yield* Console.log("\n1. NHS numbers are validated and branded (Modulus 11 check digit)")
  yield* Either.match(Schema.decodeUnknownEither(NhsNumber)("943 476 5919"), {
    onLeft: (error) => Console.log(`   unexpected rejection: ${firstMessage(error)}`),
    // The display form's shape, not the number: formatNhsNumber gives "3 3 4" digit groups.
    onRight: (nhsNumber) =>
      Console.log(`   accepted; formatNhsNumber displays it as ${formatNhsNumber(nhsNumber).replace(/[0-9]/g, "#")}`)
  })

  yield* Console.log("\n2. An invalid NHS number is rejected; the message does not repeat it")
  yield* Either.match(Schema.decodeUnknownEither(NhsNumber)("943 476 5918"), {
    onLeft: (error) => Console.log(`   rejected: ${firstMessage(error)}`),
    onRight: () => Console.log("   unexpectedly accepted")
  })

  yield* Console.log("\n3. A wire patient decodes into the camelCase domain model")
  yield* Either.match(Schema.decodeUnknownEither(PatientV1)(wirePatient), {
    onLeft: (error) => Console.log(`   rejected: ${firstMessage(error)}`),
    onRight: (patient) =>
      Console.log(
        `   decoded fields: ${Object.keys(patient).sort().join(", ")}\n` +
          `   nhsNumber is ${patient.nhsNumber?._tag ?? "absent"}; dateOfBirth is ${
            patient.dateOfBirth === null || patient.dateOfBirth === undefined ? "absent" : "a valid date"
          }`
      )
  })
})

Effect.runPromise(program)
