/**
 * Normalisation of the demographic strings before they are compared.
 * @internal
 */

const stripAccents = (s: string): string => s.normalize("NFKD").replace(/\p{M}+/gu, "")

/**
 * A name for comparison: accents removed, lower case, letters only (spaces, hyphens, apostrophes
 * and other punctuation dropped), so `O'Brien`, `OBRIEN` and `o brien` compare equal.
 * @internal
 */
export const name = (s: string | undefined): string =>
  s === undefined ? "" : stripAccents(s).toLowerCase().replace(/[^\p{L}]+/gu, "")

/**
 * The parts of a name (for double-barrelled surnames): accents removed, lower case, split on
 * anything that is not a letter.
 * @internal
 */
export const nameParts = (s: string | undefined): ReadonlyArray<string> =>
  s === undefined ? [] : stripAccents(s).toLowerCase().split(/[^\p{L}]+/u).filter((p) => p.length > 0)

/**
 * A postcode for comparison: upper case, letters and digits only.
 * @internal
 */
export const postcode = (s: string | undefined): string =>
  s === undefined ? "" : stripAccents(s).toUpperCase().replace(/[^A-Z0-9]+/g, "")

/**
 * The outward code of a normalised UK postcode (everything before the last three characters), or
 * `undefined` when the string is too short to have one.
 * @internal
 */
export const outwardCode = (normalisedPostcode: string): string | undefined =>
  normalisedPostcode.length >= 5 && normalisedPostcode.length <= 8
    ? normalisedPostcode.slice(0, normalisedPostcode.length - 3)
    : undefined

const abbreviations: Readonly<Record<string, string>> = {
  rd: "road",
  st: "street",
  ave: "avenue",
  av: "avenue",
  ln: "lane",
  dr: "drive",
  cl: "close",
  ct: "court",
  cres: "crescent",
  gdns: "gardens",
  pl: "place",
  sq: "square",
  ter: "terrace",
  terr: "terrace",
  flt: "flat"
}

/**
 * An address line for comparison: accents removed, lower case, punctuation to spaces, common
 * abbreviations expanded, whitespace collapsed.
 * @internal
 */
export const addressWords = (s: string | undefined): ReadonlyArray<string> =>
  s === undefined
    ? []
    : stripAccents(s).toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim().split(" ").filter((w) => w.length > 0)
      .map((w) => abbreviations[w] ?? w)

/**
 * A town for comparison.
 * @internal
 */
export const town = (s: string | undefined): string => addressWords(s).join(" ")
