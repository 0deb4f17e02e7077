/**
 * Payment methods of a patient's default Stripe customer.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as F from "./internal/fields.js"

/**
 * A payment method, in the shape of the Stripe customer sources Hero documents elsewhere. Every field
 * is optional: this endpoint's body is not documented.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PaymentMethod = Schema.Struct({
  id: F.optional("id", Schema.String),
  type: F.optional("type", Schema.String),
  fingerprint: F.optional("fingerprint", Schema.String),
  brand: F.optional("brand", Schema.String),
  last4: F.optional("last4", Schema.String),
  expMonth: F.optional("exp_month", Schema.Number),
  expYear: F.optional("exp_year", Schema.Number)
}).annotations({ identifier: "PaymentMethod" })

/**
 * @since 0.1.0
 * @category models
 */
export interface PaymentMethod extends Schema.Schema.Type<typeof PaymentMethod> {}

/**
 * `GET /v1/patients/{id}/payment_methods`: the document says only "a JSON object", so the body is
 * kept whole; {@link paymentMethodsOf} reads the methods out of it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PaymentMethodsResponse = Schema.Record({ key: Schema.String, value: Schema.Unknown }).annotations({
  identifier: "PaymentMethodsResponse"
})

/**
 * @since 0.1.0
 * @category models
 */
export type PaymentMethodsResponse = typeof PaymentMethodsResponse.Type

const decodeMethod = Schema.decodeUnknownEither(PaymentMethod)

/**
 * The payment methods in a response: the items of its `data`, `sources` or `payment_methods` array
 * (the first present), each decoded tolerantly; items that are not objects are skipped.
 *
 * @since 0.1.0
 * @category getters
 */
export const paymentMethodsOf = (response: PaymentMethodsResponse): ReadonlyArray<PaymentMethod> => {
  const items = [response["data"], response["sources"], response["payment_methods"]].find(Array.isArray)
  if (!items) return []
  return items.flatMap((item: unknown) => {
    const decoded = decodeMethod(item)
    return Either.isRight(decoded) ? [decoded.right] : []
  })
}
