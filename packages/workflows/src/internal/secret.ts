/**
 * Secrets compared in constant time, shared by the review API (bearer tokens) and the review page
 * (sign-in tokens, CSRF tokens): both sides are hashed first, so the comparison is always of two
 * 32-byte digests and takes the same time whatever the lengths or the contents.
 *
 * @internal
 */
import * as Crypto from "node:crypto"

/** @internal */
export const digest = (text: string): Buffer => Crypto.createHash("sha256").update(text, "utf8").digest()

/** Whether `given` is the secret whose digest is `expected`, in time independent of both. @internal */
export const matches = (expected: Buffer, given: string): boolean => Crypto.timingSafeEqual(expected, digest(given))

/** Whether two digests are equal, in constant time. @internal */
export const sameDigest = (a: Buffer, b: Buffer): boolean => Crypto.timingSafeEqual(a, b)

/** A fresh random token (32 bytes, base64url). @internal */
export const randomToken = (): string => Crypto.randomBytes(32).toString("base64url")
