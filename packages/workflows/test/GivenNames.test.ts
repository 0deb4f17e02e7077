import { describe, expect, it } from "@effect/vitest"
import {
  areDiminutives,
  areSpellingVariants,
  diminutiveGroups,
  isKnownGivenName,
  normalise,
  spellingVariantGroups
} from "../src/internal/givenNames.js"

const pairs = (s: string): ReadonlyArray<readonly [string, string]> =>
  s.trim().split(/\s+/).map((pair) => {
    const [a, b] = pair.split("/")
    return [a!, b!] as const
  })

// A small deterministic generator (mulberry32), so the brute-force check is reproducible.
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

describe("givenNames", () => {
  it("diminutives of the same name", () => {
    const same = pairs(`
      Bob/Robert Peggy/Margaret Liz/Elizabeth Bill/William Jim/James Sandy/Alexander Jack/John Ted/Edward
      Nell/Helen Nell/Eleanor Nell/Ellen Dick/Richard Rick/Richard Harry/Henry Hal/Henry Molly/Mary Polly/Mary
      Sally/Sarah Sadie/Sara Kate/Catherine Kath/Katherine Kitty/Kathryn Pat/Patricia Trish/Patricia
      Tony/Anthony Fred/Frederick Alf/Alfred Alfie/Alfred Theo/Theodore Ted/Theodore Archie/Archibald
      Becky/Rebecca Vicky/Victoria Tori/Victoria Debbie/Deborah Sue/Susan Jen/Jennifer Gwen/Gwendolen
      Dai/David Dave/David Dai/Dafydd Llew/Llewellyn Ali/Alasdair Ali/Alistair Hamish/James Liam/William
      Meg/Margaret Greta/Margaret Daisy/Margaret Beth/Elizabeth Bess/Elizabeth Elsie/Elizabeth Libby/Elizabeth
      Olek/Aleksander Gosia/Malgorzata Kasia/Katarzyna Wojtek/Wojciech Mo/Mohammed Mo/Muhammad
      Tunde/Babatunde Femi/Oluwafemi
    `)
    for (const [a, b] of same) {
      expect(areDiminutives(a, b), `${a}/${b}`).toBe(true)
      expect(areDiminutives(b, a), `${b}/${a}`).toBe(true)
      expect(areSpellingVariants(a, b), `${a}/${b}`).toBe(false)
    }
  })

  it("two diminutives of the same formal name agree; a name can be in several groups", () => {
    expect(areDiminutives("Bob", "Rob")).toBe(true)
    expect(areDiminutives("Bill", "Will")).toBe(true)
    expect(areDiminutives("alex", "Alexander")).toBe(true)
    expect(areDiminutives("alex", "Alexandra")).toBe(true)
    expect(areDiminutives("alex", "Alexis")).toBe(true)
    expect(areDiminutives("Sam", "Samuel")).toBe(true)
    expect(areDiminutives("Sam", "Samantha")).toBe(true)
    expect(areDiminutives("Chris", "Christopher")).toBe(true)
    expect(areDiminutives("Chris", "Christine")).toBe(true)
    expect(areDiminutives("Chris", "Christina")).toBe(true)
    expect(areDiminutives("Jo", "Joanne")).toBe(true)
    expect(areDiminutives("Jo", "Josephine")).toBe(true)
    // sharing a diminutive does not make two formal names the same
    expect(areDiminutives("Alexander", "Alexandra")).toBe(false)
    expect(areDiminutives("Samuel", "Samantha")).toBe(false)
    expect(areDiminutives("Helen", "Eleanor")).toBe(false)
    expect(areDiminutives("Christopher", "Christine")).toBe(false)
  })

  it("spelling variants of different names are the twin pattern, never diminutives", () => {
    const twins = pairs(`
      Jon/John Stephen/Steven Aron/Aaron Ann/Anne Philip/Phillip Matthew/Mathew Sara/Sarah Alan/Allan Alan/Allen
      Allan/Allen Katherine/Catherine Catherine/Kathryn Katherine/Kathryn Lewis/Louis Isobel/Isabel Rachael/Rachel
      Jayden/Jaden Aiden/Aidan Mohammed/Muhammad Mohammad/Mohamed Mohamad/Muhammad Stuart/Stewart
      Geoffrey/Jeffrey Sean/Shaun Shawn/Sean Zoe/Zoey Elliot/Elliott Hayley/Haley Hailey/Hayley Leigh/Lee
      Carl/Karl Eric/Erik Claire/Clare Sophie/Sophia Louise/Louisa Frances/Francis Ellie/Elly Millie/Milly
      Isla/Islay Freya/Freja Katie/Katy Jo/Joe Rhys/Reece Graham/Graeme
    `)
    for (const [a, b] of twins) {
      expect(areSpellingVariants(a, b), `${a}/${b}`).toBe(true)
      expect(areSpellingVariants(b, a), `${b}/${a}`).toBe(true)
      expect(areDiminutives(a, b), `${a}/${b}`).toBe(false)
      expect(areDiminutives(b, a), `${b}/${a}`).toBe(false)
    }
    expect(spellingVariantGroups.length).toBeGreaterThanOrEqual(80)
  })

  it("variants win over a diminutive group that links them", () => {
    // each pair sits together in a diminutive group (Catherine, Eleanor, Amelia, Jacqueline)
    for (const [a, b] of [["katie", "katy"], ["ellie", "elly"], ["millie", "milly"], ["jackie", "jacky"]]) {
      expect(diminutiveGroups.some((g) => g.includes(a!) && g.includes(b!))).toBe(true)
      expect(areDiminutives(a!, b!)).toBe(false)
      expect(areSpellingVariants(a!, b!)).toBe(true)
    }
  })

  it("Jon is a variant of John but a diminutive of Jonathan", () => {
    expect(areDiminutives("jon", "jonathan")).toBe(true)
    expect(areDiminutives("Jonathan", "Jon")).toBe(true)
    expect(areDiminutives("jon", "john")).toBe(false)
    expect(areSpellingVariants("jon", "john")).toBe(true)
    expect(areSpellingVariants("jon", "jonathan")).toBe(false)
    expect(areDiminutives("Jack", "Jonathan")).toBe(false)
  })

  it("equal, empty and unrelated names are neither", () => {
    for (const [a, b] of [["John", "john"], ["Zoë", "zoe"], ["", ""], ["--", "x"], ["John", "Mary"], ["Bob", "Bill"]]) {
      expect(areDiminutives(a!, b!), `${a}/${b}`).toBe(false)
      expect(areSpellingVariants(a!, b!), `${a}/${b}`).toBe(false)
    }
  })

  it("normalises case, accents and punctuation", () => {
    expect(normalise("Zoë")).toBe("zoe")
    expect(normalise("Mary-Jane")).toBe("maryjane")
    expect(normalise("Mary Jane")).toBe("maryjane")
    expect(normalise("O'Neill")).toBe("oneill")
    expect(normalise("Siân")).toBe("sian")
    expect(normalise("Siobhán")).toBe("siobhan")
    expect(normalise("Małgorzata")).toBe("malgorzata")
    expect(normalise("Elżbieta")).toBe("elzbieta")
    expect(normalise("  BOB.  ")).toBe("bob")
    expect(normalise(normalise("Łukasz-Ørsted"))).toBe(normalise("Łukasz-Ørsted"))
    expect(areDiminutives("  BOB ", "roBERT.")).toBe(true)
    expect(areSpellingVariants("Zoë", "ZOEY")).toBe(true)
    expect(areDiminutives("Gosia", "Małgorzata")).toBe(true)
    expect(isKnownGivenName("Mary-Jane")).toBe(true)
    expect(isKnownGivenName("Siân")).toBe(true)
    expect(isKnownGivenName("ZOË")).toBe(true)
  })

  it("knows common given names and not typos", () => {
    const known = `Margaret Eileen Doreen Olivia Amelia Muhammad Mohammed Priya Siobhan Bethan Niamh Callum Rhys
      John William George Jack Oliver Harry Noah Isla Ava Sophie Emily Grace Aoife Saoirse Cerys Dafydd Ffion
      Fatima Aisha Yusuf Imran Harpreet Gurpreet Sanjay Agnieszka Katarzyna Wojciech Piotr Chukwuemeka Oluwaseun
      Kwame Ngozi Bob Peggy Jon Isobel Kathryn Aidan`
    for (const name of known.split(/\s+/)) expect(isKnownGivenName(name), name).toBe(true)
    for (const typo of ["Jhon", "Olvier", "Catherinne", "Xqzt", "Willaim", "Elizbeth", "", "---"]) {
      expect(isKnownGivenName(typo), typo).toBe(false)
    }
  })

  it("every group is normalised, non-empty and without duplicates, and every member is known", () => {
    expect(diminutiveGroups.length).toBeGreaterThanOrEqual(250)
    for (const group of [...diminutiveGroups, ...spellingVariantGroups]) {
      expect(group.length, group.join(" ")).toBeGreaterThanOrEqual(2)
      expect(new Set(group).size, group.join(" ")).toBe(group.length)
      for (const name of group) {
        expect(name, group.join(" ")).toMatch(/^[a-z]+$/)
        expect(normalise(name)).toBe(name)
        expect(isKnownGivenName(name)).toBe(true)
      }
    }
  })

  it("lookups agree with a brute-force scan of the groups", () => {
    const names = [...new Set([...diminutiveGroups.flat(), ...spellingVariantGroups.flat()])]
    const next = random(20240611)
    const pick = <A>(xs: ReadonlyArray<A>): A => xs[Math.floor(next() * xs.length)]!
    const within = (g: ReadonlyArray<string>) => [pick(g), pick(g)] as const
    const shared = (groups: ReadonlyArray<ReadonlyArray<string>>, a: string, b: string) =>
      a !== b && groups.some((g) => g.includes(a) && g.includes(b))
    let positives = 0
    for (let i = 0; i < 600; i++) {
      // a third within one diminutive group, a third within one variant group, a third anywhere
      const [a, b] = i % 3 === 0
        ? within(pick(diminutiveGroups))
        : i % 3 === 1
        ? within(pick(spellingVariantGroups))
        : [pick(names), pick(names)]
      const variants = shared(spellingVariantGroups, a!, b!)
      const diminutives = shared(diminutiveGroups, a!, b!) && !variants
      expect(areSpellingVariants(a!, b!), `${a}/${b}`).toBe(variants)
      expect(areSpellingVariants(b!, a!), `${b}/${a}`).toBe(variants)
      expect(areDiminutives(a!, b!), `${a}/${b}`).toBe(diminutives)
      expect(areDiminutives(b!, a!), `${b}/${a}`).toBe(diminutives)
      if (variants || diminutives) positives++
    }
    expect(positives).toBeGreaterThan(200)
  })
})
