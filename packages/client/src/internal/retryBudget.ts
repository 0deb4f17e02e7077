/**
 * The retry budget of a client: a token bucket shared by all its calls, so an outage does not
 * become a retry storm. It owns the token count, a plain number changed only in synchronous
 * blocks: a success refunds, a retry spends (less for a 429 that says when to come back).
 * @internal
 */
import type { RetryBudget as Options } from "../HeroHealthConfig.js"

/** @internal */
export interface RetryBudget {
  /** A call succeeded: tokens back, up to the capacity. */
  readonly refund: () => void
  /** Spends the cost of one retry (a `paced` one: a 429 with Retry-After) if there is enough left. */
  readonly trySpend: (paced: boolean) => boolean
}

/** @internal */
export const makeRetryBudget = (options: Options): RetryBudget => {
  let tokens = options.capacity
  return {
    refund: () => {
      tokens = Math.min(options.capacity, tokens + options.successRefund)
    },
    trySpend: (paced) => {
      const cost = paced ? options.throttledRetryCost : options.retryCost
      const spent = tokens >= cost
      if (spent) {
        tokens -= cost
      }
      return spent
    }
  }
}
