// A hand-built adversarial world (seed-file wire format) of look-alikes and true duplicates the
// generator does not produce. Every NHS number is from the 999 test range (`testRangeNhsNumber`),
// every mobile from Ofcom's drama range (07700 900xxx), every e-mail at example.com.
import { testRangeNhsNumber, validateNhsNumber } from "@hero-effect/schema/NhsNumber"

type Json = Record<string, unknown>

export interface Demo {
  readonly title?: string | undefined
  readonly first: string
  readonly last: string
  readonly sex: string
  readonly dob: string | null
  readonly line1: string
  readonly town: string
  readonly postcode: string
}

interface TruthPerson {
  readonly hero_ids: Array<string>
  readonly ehr_partner_ids: Array<string>
}

/** Builds the world: people, their Hero records and GP records, and the truth per group. */
export class WorldBuilder {
  private heroSeq = 100001
  private emisSeq = 5000001
  private s1Seq = 800001
  private mobileSeq = 100
  private nhsSeed = 123457
  private readonly usedNhs = new Set<string>()
  readonly patients: Array<Json> = []
  readonly ehrRecords: Array<Json> = []
  readonly truth: Array<Json> = []
  /** Hero id -> a short description of the record, for failure reports. */
  readonly describe = new Map<string, string>()

  nhs(): string {
    for (;;) {
      const n = testRangeNhsNumber(this.nhsSeed)
      this.nhsSeed += 7919
      if (!this.usedNhs.has(n)) {
        this.usedNhs.add(n)
        return n
      }
    }
  }

  mobile(): string {
    const m = `07700 900${String(this.mobileSeq).padStart(3, "0")}`
    this.mobileSeq += 1
    if (this.mobileSeq > 999) this.mobileSeq = 100
    return m
  }

  /** A Hero record; `nhs` undefined means the record has none. */
  hero(d: Demo, opts: { nhs?: string | undefined; mobile?: string | undefined; email?: string | undefined } = {}) {
    const id = String(this.heroSeq++)
    const identifiers: Array<Json> = []
    if (opts.nhs !== undefined) {
      identifiers.push({ source: "nhs", name: "nhs_number", role: "main", label: "NHS", value: opts.nhs })
    }
    identifiers.push({ source: "hero", name: "hero_id", role: "main", label: "Hero", value: id })
    const record: Json = {
      id,
      uid: `00000000-0000-4000-8000-000000${id}`,
      ...(d.title !== undefined ? { title: d.title } : {}),
      first_name: d.first,
      last_name: d.last,
      sex: d.sex,
      dob: d.dob,
      ...(opts.nhs !== undefined ? { nhs_number: opts.nhs } : {}),
      mobile: opts.mobile ?? this.mobile(),
      ...(opts.email !== undefined ? { email: opts.email } : {}),
      address_line_1: d.line1,
      town: d.town,
      postcode: d.postcode,
      country: "United Kingdom",
      data_source: "hero",
      status: "unarchived",
      restricted: false,
      identifiers,
      ehr_registered: false
    }
    this.patients.push(record)
    this.describe.set(
      id,
      `${JSON.stringify(d.first)} ${JSON.stringify(d.last)} ${d.sex} ${d.dob ?? "null"} nhs=${
        opts.nhs ?? "-"
      } ${d.line1}, ${d.town} ${d.postcode}`
    )
    return id
  }

  /** A GP (EHR) record, v2 shape. */
  gp(d: Demo, nhs: string, source: "emis" | "systm_one" = "emis") {
    const ehrId = source === "emis" ? String(this.emisSeq++) : `S1${String(this.s1Seq++)}`
    const record: Json = {
      ehr_partner_id: ehrId,
      ...(source === "emis" ? { emis_id: ehrId } : {}),
      ...(d.title !== undefined ? { title: d.title } : {}),
      first_name: d.first,
      last_name: d.last,
      sex: d.sex,
      dob: d.dob,
      nhs_number: nhs,
      line_1: d.line1,
      town: d.town,
      postcode: d.postcode,
      data_source: source,
      identifiers: [
        { source: "nhs", name: "nhs_number", role: "main", label: "NHS", value: nhs },
        {
          source: "ehr_partner",
          name: "ehr_partner_id",
          role: "main",
          label: source === "emis" ? "EMIS" : "SystmOne",
          value: ehrId
        }
      ],
      ehr_registered: true
    }
    this.ehrRecords.push(record)
    this.describe.set(
      ehrId,
      `GP ${JSON.stringify(d.first)} ${JSON.stringify(d.last)} ${d.sex} ${
        d.dob ?? "null"
      } nhs=${nhs} ${d.line1}, ${d.town} ${d.postcode}`
    )
    return ehrId
  }

  group(kind: string, shouldMerge: boolean, people: ReadonlyArray<TruthPerson>) {
    this.truth.push({
      kind,
      hero_ids: people.flatMap((p) => p.hero_ids),
      ehr_partner_ids: people.flatMap((p) => p.ehr_partner_ids),
      should_merge: shouldMerge,
      people
    })
  }

  seedFile(): Json {
    return {
      practice_group_id: "sandbox-practice-group",
      ods_code: "Y01234",
      patients: this.patients,
      ehr_records: this.ehrRecords,
      links: [],
      truth: this.truth
    }
  }
}

/** `nhs` with two adjacent digits swapped so that the result fails Modulus 11. */
export const transposeInvalid = (nhs: string): string => {
  for (let i = 0; i < 9; i++) {
    if (nhs[i] === nhs[i + 1]) continue
    const t = nhs.slice(0, i) + nhs[i + 1] + nhs[i] + nhs.slice(i + 2)
    if (validateNhsNumber(t)._tag === "Invalid") return t
  }
  throw new Error("no failing transposition")
}

const towns: ReadonlyArray<readonly [string, string]> = [
  ["Leeds", "LS"],
  ["Bradford", "BD"],
  ["Sheffield", "S"],
  ["York", "YO"],
  ["Harrogate", "HG"],
  ["Wakefield", "WF"],
  ["Halifax", "HX"],
  ["Huddersfield", "HD"]
]
const streets = [
  "Park Road",
  "Church Lane",
  "Victoria Street",
  "Mill Lane",
  "Station Road",
  "The Green",
  "Highfield Avenue",
  "Manor Close",
  "Westbourne Grove",
  "Oak Tree Drive",
  "Beech Crescent",
  "Kings Road"
]

const addressOf = (i: number) => {
  const [town, area] = towns[i % towns.length]!
  const street = streets[(i * 5) % streets.length]!
  const house = 3 + ((i * 17) % 180)
  const district = 1 + ((i * 7) % 27)
  const letters = "ABDEFGHJLNPQRSTUWXYZ"
  const inward = `${1 + (i % 9)}${letters[(i * 3) % letters.length]}${letters[(i * 11 + 4) % letters.length]}`
  return { line1: `${house} ${street}`, town, postcode: `${area}${district} ${inward}` }
}

const uniqueFirstF = [
  "Amelia",
  "Grace",
  "Freya",
  "Poppy",
  "Ruby",
  "Evie",
  "Harriet",
  "Imogen",
  "Jasmine",
  "Keira",
  "Lucy",
  "Megan",
  "Nadia",
  "Priya",
  "Rosie",
  "Tilly",
  "Wendy",
  "Yasmin",
  "Beatrice",
  "Daisy",
  "Fatima",
  "Georgia",
  "Hannah",
  "Iris",
  "Joanne",
  "Leah",
  "Martha",
  "Naomi",
  "Paige",
  "Rebecca"
]
const uniqueFirstM = [
  "Arthur",
  "Benjamin",
  "Callum",
  "Dylan",
  "Edward",
  "Finley",
  "Gavin",
  "Henry",
  "Ibrahim",
  "Joseph",
  "Kieran",
  "Lewis",
  "Mason",
  "Nathan",
  "Owen",
  "Patrick",
  "Reuben",
  "Samuel",
  "Theo",
  "Usman",
  "Victor",
  "William",
  "Zachary",
  "Adam",
  "Bradley",
  "Connor",
  "Declan",
  "Ethan",
  "Frederick",
  "Graham"
]
const uniqueLast = [
  "Ackroyd",
  "Barraclough",
  "Crowther",
  "Dewhurst",
  "Ellison",
  "Fothergill",
  "Greenwood",
  "Haigh",
  "Illingworth",
  "Jowett",
  "Kershaw",
  "Lockwood",
  "Midgley",
  "Normington",
  "Oldroyd",
  "Pickersgill",
  "Rushworth",
  "Sutcliffe",
  "Thackray",
  "Uttley",
  "Varley",
  "Whiteley",
  "Yeadon",
  "Armitage",
  "Brearley",
  "Cawthorne",
  "Dobson",
  "Eastwood",
  "Firth",
  "Gledhill",
  "Hirst",
  "Ibbotson",
  "Jagger",
  "Kitson",
  "Lumb",
  "Marsden",
  "Nutter",
  "Overend",
  "Pollard",
  "Quarmby",
  "Redfearn",
  "Shackleton",
  "Tordoff",
  "Umpleby",
  "Wainwright",
  "Youngman",
  "Ambler",
  "Binns",
  "Crabtree",
  "Dransfield",
  "Exley",
  "Feather",
  "Garside",
  "Holroyd",
  "Ingham",
  "Jessop",
  "Kilburn",
  "Laycock",
  "Mitchell",
  "Naylor"
]

const pad = (n: number) => String(n).padStart(2, "0")
const dobOf = (i: number, from = 1940, span = 80) =>
  `${from + ((i * 37) % span)}-${pad(1 + ((i * 5) % 12))}-${pad(1 + ((i * 13) % 28))}`

/** The whole adversarial world, as a seed file (JSON) plus record descriptions. */
export const buildAdversarialWorld = () => {
  const b = new WorldBuilder()
  let addr = 100
  const nextAddress = () => addressOf(addr++)

  // ---------------------------------------------------------------- look-alikes (must stay apart)

  // Triplets: same dob, surname, address; near-identical first names; one or two Hero records
  // without an NHS number.
  const triplets: ReadonlyArray<{ last: string; dob: string; kids: ReadonlyArray<[string, string, string]> }> = [
    {
      last: "Thompson",
      dob: "2015-06-14",
      kids: [["Ella", "Female", "Miss"], ["Ellie", "Female", "Miss"], ["Elle", "Female", "Miss"]]
    },
    {
      last: "Hughes",
      dob: "2009-11-02",
      kids: [["Max", "Male", "Mr"], ["Maxwell", "Male", "Mr"], ["Maximilian", "Male", "Mr"]]
    },
    {
      last: "Brennan",
      dob: "2019-02-28",
      kids: [["Isla", "Female", "Miss"], ["Isabel", "Female", "Miss"], ["Isabella", "Female", "Miss"]]
    },
    {
      last: "Okafor",
      dob: "2001-08-09",
      kids: [["Daniel", "Male", "Mr"], ["Danielle", "Female", "Ms"], ["Daniela", "Female", "Ms"]]
    }
  ]
  triplets.forEach((t, gi) => {
    const a = nextAddress()
    const parentMobile = b.mobile()
    const people = t.kids.map(([first, sex, title], k) => {
      const d: Demo = { title, first, last: t.last, sex, dob: t.dob, ...a }
      const nhs = b.nhs()
      const ehr = b.gp(d, nhs, gi % 2 === 0 ? "emis" : "systm_one")
      // k = 0 keeps its NHS number; k = 1 never; k = 2 only in odd groups.
      const heroNhs = k === 0 || (k === 2 && gi % 2 === 1) ? nhs : undefined
      const hero = b.hero(d, { nhs: heroNhs, mobile: parentMobile })
      return { hero_ids: [hero], ehr_partner_ids: [ehr] }
    })
    b.group("triplets", false, people)
  })

  // Twins where BOTH Hero records lack NHS numbers; the GP records have them; one twin's GP
  // record at another address.
  const twinsNoNhs: ReadonlyArray<[string, string, string, string, string]> = [
    // last, dob, first1, first2, sex
    ["Whitaker", "2012-04-21", "Jack", "Jake", "Male"],
    ["Nowak", "1998-12-30", "Sophie", "Sophia", "Female"],
    ["Rahman", "2005-07-07", "Harry", "George", "Male"],
    ["Lindqvist", "1987-01-19", "Aaron", "Aron", "Male"]
  ]
  twinsNoNhs.forEach(([last, dob, f1, f2, sex], gi) => {
    const home = nextAddress()
    const away = nextAddress()
    const title = sex === "Male" ? "Mr" : "Miss"
    const d1: Demo = { title, first: f1, last, sex, dob, ...home }
    const d2: Demo = { title, first: f2, last, sex, dob, ...home }
    const n1 = b.nhs()
    const n2 = b.nhs()
    const e1 = b.gp(d1, n1)
    // The second twin's GP record has moved (university, new flat).
    const e2 = b.gp({ ...d2, ...(gi % 2 === 0 ? away : home) }, n2, "systm_one")
    const mob = b.mobile()
    const h1 = b.hero(d1, { mobile: mob })
    const h2 = b.hero(d2, { mobile: gi % 2 === 0 ? mob : undefined })
    b.group("twinsBothNoNhs", false, [{ hero_ids: [h1], ehr_partner_ids: [e1] }, {
      hero_ids: [h2],
      ehr_partner_ids: [e2]
    }])
  })

  // Opposite-sex twins with unisex similar names; sex "Not known" on one side.
  const unisex: ReadonlyArray<[string, string, string, string]> = [
    ["Jo", "Joe", "Kowalski", "2010-03-03"],
    ["Frankie", "Franky", "Doherty", "1994-09-15"],
    ["Alix", "Alex", "Mensah", "2003-05-26"],
    ["Sam", "Sami", "Haddad", "2017-10-10"]
  ]
  unisex.forEach(([fFemale, fMale, last, dob], gi) => {
    const a = nextAddress()
    const dF: Demo = { first: fFemale, last, sex: "Female", dob, ...a }
    const dM: Demo = { first: fMale, last, sex: "Male", dob, ...a }
    const nF = b.nhs()
    const nM = b.nhs()
    // Sex "Not known" on one side: the Hero record in even groups, the GP record in odd ones.
    const eF = b.gp(gi % 2 === 1 ? { ...dF, sex: "Not known" } : dF, nF)
    const eM = b.gp(dM, nM)
    const hF = b.hero(gi % 2 === 0 ? { ...dF, sex: "Not known" } : dF, { nhs: gi < 2 ? undefined : nF })
    const hM = b.hero(dM, { nhs: gi === 1 ? nM : undefined })
    b.group("twinsOppositeSexUnisex", false, [
      { hero_ids: [hF], ehr_partner_ids: [eF] },
      { hero_ids: [hM], ehr_partner_ids: [eM] }
    ])
  })

  // Spouses with the same surname, address and (by coincidence) date of birth.
  const spouses: ReadonlyArray<[string, string, string, string]> = [
    ["David", "Susan", "Atkinson", "1962-02-11"],
    ["Mohammed", "Aisha", "Hussain", "1979-08-30"],
    ["Gareth", "Rhian", "Griffiths", "1955-12-01"],
    ["Chris", "Chrissie", "Moorhouse", "1970-06-06"]
  ]
  spouses.forEach(([him, her, last, dob], gi) => {
    const a = nextAddress()
    const dH: Demo = { title: "Mr", first: him, last, sex: "Male", dob, ...a }
    const dW: Demo = { title: "Mrs", first: her, last, sex: "Female", dob, ...a }
    const nH = b.nhs()
    const nW = b.nhs()
    const eH = b.gp(dH, nH)
    const eW = b.gp(dW, nW)
    const email = `${last.toLowerCase()}.family@example.com`
    const hH = b.hero(dH, { nhs: nH, email })
    const hW = b.hero(dW, { nhs: gi % 2 === 0 ? undefined : nW, email })
    b.group("spousesSameDob", false, [{ hero_ids: [hH], ehr_partner_ids: [eH] }, {
      hero_ids: [hW],
      ehr_partner_ids: [eW]
    }])
  })

  // A sibling's (not twin) NHS number keyed onto the other sibling's Hero record.
  const siblings: ReadonlyArray<[string, string, string, string, string, string]> = [
    ["Liam", "2011-05-09", "Luke", "2014-01-22", "Male", "Fitzgerald"],
    ["Amy", "2004-10-30", "Anna", "2008-03-14", "Female", "Kaur"],
    ["Oscar", "1996-07-01", "Olly", "2001-07-01", "Male", "Pemberton"],
    ["Nina", "1990-02-02", "Nia", "1992-12-12", "Female", "Evans"]
  ]
  siblings.forEach(([f1, dob1, f2, dob2, sex, last], gi) => {
    const a = nextAddress()
    const title = sex === "Male" ? "Mr" : "Miss"
    const d1: Demo = { title, first: f1, last, sex, dob: dob1, ...a }
    const d2: Demo = { title, first: f2, last, sex, dob: dob2, ...a }
    const n1 = b.nhs()
    const n2 = b.nhs()
    const e1 = b.gp(d1, n1)
    const e2 = b.gp(d2, n2)
    const mob = b.mobile()
    // Sibling 1's Hero record sometimes has its own number, sometimes none; sibling 2's record
    // carries sibling 1's number.
    const h1 = b.hero(d1, { nhs: gi % 2 === 0 ? n1 : undefined, mobile: mob })
    const h2 = b.hero(d2, { nhs: n1, mobile: mob })
    b.group("siblingNhsMiskeyed", false, [{ hero_ids: [h1], ehr_partner_ids: [e1] }, {
      hero_ids: [h2],
      ehr_partner_ids: [e2]
    }])
  })

  // A common full name and the same dob in the same town, other postcodes; no NHS on a Hero
  // record. In some groups the person without NHS has no GP record in the world at all.
  const common: ReadonlyArray<[string, string, string, string]> = [
    ["John", "Smith", "Male", "1980-05-12"],
    ["Sarah", "Jones", "Female", "1991-09-03"],
    ["Mohammed", "Khan", "Male", "1985-01-01"],
    ["Emma", "Wilson", "Female", "1977-11-23"]
  ]
  common.forEach(([first, last, sex, dob], gi) => {
    const [town, area] = towns[gi % towns.length]!
    const dA: Demo = {
      title: sex === "Male" ? "Mr" : "Ms",
      first,
      last,
      sex,
      dob,
      line1: `${10 + gi} Albert Terrace`,
      town,
      postcode: `${area}${4 + gi} 2AB`
    }
    const dB: Demo = { ...dA, line1: `${71 + gi} Moor Lane`, postcode: `${area}${15 + gi} 8QT` }
    const nA = b.nhs()
    const nB = b.nhs()
    const eB = b.gp(dB, nB)
    const hB = b.hero(dB, { nhs: gi % 2 === 0 ? nB : undefined })
    const hasOwnGp = gi >= 2
    const eA = hasOwnGp ? [b.gp(dA, nA)] : []
    const hA = b.hero(dA)
    b.group("commonNameSameTown", false, [{ hero_ids: [hA], ehr_partner_ids: eA }, {
      hero_ids: [hB],
      ehr_partner_ids: [eB]
    }])
  })

  // Newborn placeholders: "Twin 1/2 <Surname>", "Baby Boy/Girl <Surname>".
  const babies: ReadonlyArray<{ last: string; dob: string; names: ReadonlyArray<[string, string, string]> }> = [
    // [hero first name, GP first name, sex]
    { last: "Robinson", dob: "2024-03-18", names: [["Twin 1", "Twin 1", "Male"], ["Twin 2", "Twin 2", "Male"]] },
    { last: "Ahmed", dob: "2024-07-02", names: [["Baby Boy", "Yusuf", "Male"], ["Baby Girl", "Maryam", "Female"]] },
    { last: "Clarke", dob: "2023-12-25", names: [["Twin 2", "Noah", "Male"], ["Baby", "Baby", "Not known"]] },
    { last: "Murphy", dob: "2024-01-09", names: [["Baby Boy", "Baby Boy", "Male"], ["Baby Boy", "Baby Boy", "Male"]] }
  ]
  babies.forEach((g) => {
    const a = nextAddress()
    const mob = b.mobile()
    const people = g.names.map(([heroFirst, gpFirst, sex]) => {
      const nhs = b.nhs()
      const ehr = b.gp({ first: gpFirst, last: g.last, sex, dob: g.dob, ...a }, nhs)
      const hero = b.hero({ first: heroFirst, last: g.last, sex, dob: g.dob, ...a }, { mobile: mob })
      return { hero_ids: [hero], ehr_partner_ids: [ehr] }
    })
    b.group("placeholderNewborn", false, people)
  })

  // "Unknown Unknown" with a null dob (three people, one of them with a GP record of the same
  // placeholder name).
  {
    const people: Array<TruthPerson> = []
    for (let k = 0; k < 3; k++) {
      const a = nextAddress()
      const d: Demo = { first: "Unknown", last: "Unknown", sex: "Not known", dob: null, ...a }
      const ehr = k === 0 ? [b.gp(d, b.nhs())] : []
      people.push({ hero_ids: [b.hero(d)], ehr_partner_ids: ehr })
    }
    b.group("placeholderUnknownNullDob", false, people)
    const people2: Array<TruthPerson> = []
    for (let k = 0; k < 2; k++) {
      const a = k === 0 ? nextAddress() : addressOf(addr - 1)
      const d: Demo = { first: "Unknown", last: "Unknown", sex: "Not known", dob: null, ...a }
      people2.push({ hero_ids: [b.hero(d)], ehr_partner_ids: [] })
    }
    b.group("placeholderUnknownNullDob", false, people2)
    const people3: Array<TruthPerson> = []
    for (let k = 0; k < 2; k++) {
      const a = nextAddress()
      const d: Demo = { first: "Not Known", last: "Unknown", sex: "Not known", dob: null, ...a }
      const nhs = b.nhs()
      people3.push({ hero_ids: [b.hero(d)], ehr_partner_ids: [b.gp(d, nhs)] })
    }
    b.group("placeholderUnknownNullDob", false, people3)
  }

  // Twin B's Hero record carries twin A's NHS number with two digits transposed (fails Mod 11).
  const transposed: ReadonlyArray<[string, string, string, string, string]> = [
    ["Callum", "Calum", "Male", "Fraser", "2000-04-04"],
    ["Lily", "Lilly", "Female", "Baxter", "2013-08-19"],
    ["Ben", "Tom", "Male", "Singh", "1999-01-31"],
    ["Hayley", "Haley", "Female", "Stott", "1989-06-27"]
  ]
  transposed.forEach(([fA, fB, sex, last, dob], gi) => {
    const a = nextAddress()
    const title = sex === "Male" ? "Mr" : "Miss"
    const dA: Demo = { title, first: fA, last, sex, dob, ...a }
    const dB: Demo = { title, first: fB, last, sex, dob, ...a }
    const nA = b.nhs()
    const nB = b.nhs()
    const eA = b.gp(dA, nA)
    const eB = b.gp(dB, nB)
    const mob = b.mobile()
    const hA = b.hero(dA, { nhs: gi % 2 === 0 ? nA : undefined, mobile: mob })
    const hB = b.hero(dB, { nhs: transposeInvalid(nA), mobile: mob })
    b.group("twinTransposedOfTwin", false, [{ hero_ids: [hA], ehr_partner_ids: [eA] }, {
      hero_ids: [hB],
      ehr_partner_ids: [eB]
    }])
  })

  // Invented: cousins with the same full name whose dobs differ by one digit, same town, other
  // streets, both with verified (different) NHS numbers on GP; one Hero record without NHS.
  const cousins: ReadonlyArray<[string, string, string, string, string]> = [
    ["Thomas", "Walsh", "Male", "1984-03-17", "1984-03-27"],
    ["Jessica", "Patel", "Female", "1993-10-05", "1993-10-08"],
    ["Ryan", "Carter", "Male", "2002-12-11", "2002-12-21"]
  ]
  cousins.forEach(([first, last, sex, dob1, dob2]) => {
    const a1 = nextAddress()
    const a2 = { ...nextAddress(), town: a1.town }
    const d1: Demo = { first, last, sex, dob: dob1, ...a1 }
    const d2: Demo = { first, last, sex, dob: dob2, ...a2 }
    const n1 = b.nhs()
    const n2 = b.nhs()
    const e1 = b.gp(d1, n1)
    const e2 = b.gp(d2, n2)
    const h1 = b.hero(d1, { nhs: n1 })
    const h2 = b.hero(d2)
    b.group("sameNameDobOneDigitApart", false, [{ hero_ids: [h1], ehr_partner_ids: [e1] }, {
      hero_ids: [h2],
      ehr_partner_ids: [e2]
    }])
  })

  // Invented: twins whose Hero records share the parent's mobile AND e-mail, dissimilar names,
  // one Hero record keyed with the co-twin's (valid) NHS number and the other with none.
  const sharedContact: ReadonlyArray<[string, string, string, string, string, string]> = [
    ["Millie", "Female", "Alfie", "Male", "Harrison", "2016-09-09"],
    ["Ruth", "Female", "Rachel", "Female", "Goldberg", "1983-04-15"],
    ["Kofi", "Male", "Kwame", "Male", "Asante", "2008-02-29"]
  ]
  sharedContact.forEach(([f1, s1, f2, s2, last, dob]) => {
    const a = nextAddress()
    const d1: Demo = { first: f1, last, sex: s1, dob, ...a }
    const d2: Demo = { first: f2, last, sex: s2, dob, ...a }
    const n1 = b.nhs()
    const n2 = b.nhs()
    const e1 = b.gp(d1, n1)
    const e2 = b.gp(d2, n2)
    const mob = b.mobile()
    const email = `${last.toLowerCase()}.home@example.com`
    const h1 = b.hero(d1, { mobile: mob, email })
    const h2 = b.hero(d2, { nhs: n1, mobile: mob, email })
    b.group("twinsSharedContactMiskeyed", false, [{ hero_ids: [h1], ehr_partner_ids: [e1] }, {
      hero_ids: [h2],
      ehr_partner_ids: [e2]
    }])
  })

  // Invented: a sibling's NHS number on the only Hero record of the younger sibling, whose own GP
  // record is not in the world (registered elsewhere); only the older sibling's GP record is here,
  // and the older sibling has no Hero record. Equal verified NHS number, conflicting dob/name.
  const loneMiskey: ReadonlyArray<[string, string, string, string, string, string]> = [
    ["Ethan", "2006-02-14", "Evan", "2009-05-20", "Male", "Sykes"],
    ["Grace", "1995-07-30", "Gemma", "1998-07-30", "Female", "Holt"],
    ["Adam", "2012-11-03", "Aidan", "2015-01-17", "Male", "Farrow"]
  ]
  loneMiskey.forEach(([f1, dob1, f2, dob2, sex, last]) => {
    const a = nextAddress()
    const d1: Demo = { first: f1, last, sex, dob: dob1, ...a }
    const d2: Demo = { first: f2, last, sex, dob: dob2, ...a }
    const n1 = b.nhs()
    const e1 = b.gp(d1, n1)
    const h2 = b.hero(d2, { nhs: n1 })
    b.group("siblingNhsOnlyRivalAbsent", false, [{ hero_ids: [], ehr_partner_ids: [e1] }, {
      hero_ids: [h2],
      ehr_partner_ids: []
    }])
  })

  // Invented: parent and child with the same full name at one address; the child's Hero record
  // carries the parent's NHS number; the child's GP record is in the world, the parent has a Hero
  // record without NHS number in half the groups.
  const jnr: ReadonlyArray<[string, string, string, string, string]> = [
    ["Michael", "Brady", "Male", "1968-04-12", "1994-04-21"],
    ["Susan", "Lister", "Female", "1959-09-09", "1985-12-09"],
    ["Richard", "Oates", "Male", "1975-01-30", "2003-01-03"]
  ]
  jnr.forEach(([first, last, sex, dobP, dobC], gi) => {
    const a = nextAddress()
    const dP: Demo = { first, last, sex, dob: dobP, ...a }
    const dC: Demo = { first, last, sex, dob: dobC, ...a }
    const nP = b.nhs()
    const nC = b.nhs()
    const eP = b.gp(dP, nP)
    const eC = gi === 2 ? [] : [b.gp(dC, nC)]
    const mob = b.mobile()
    const hP = gi % 2 === 0 ? [b.hero(dP, { mobile: mob })] : []
    const hC = b.hero(dC, { nhs: nP, mobile: mob })
    b.group("parentChildNhsMiskeyed", false, [{ hero_ids: hP, ehr_partner_ids: [eP] }, {
      hero_ids: [hC],
      ehr_partner_ids: eC
    }])
  })

  // Invented: a spouse's NHS number on the other spouse's Hero record (same surname, address and
  // dob, other sex and first name); the miskeyed spouse's own GP record absent in one group.
  const spouseMiskey: ReadonlyArray<[string, string, string, string]> = [
    ["Paul", "Julie", "Newsome", "1966-03-08"],
    ["Tariq", "Samina", "Malik", "1981-10-21"],
    ["Ian", "Ann", "Brook", "1950-05-15"]
  ]
  spouseMiskey.forEach(([him, her, last, dob], gi) => {
    const a = nextAddress()
    const dH: Demo = { title: "Mr", first: him, last, sex: "Male", dob, ...a }
    const dW: Demo = { title: "Mrs", first: her, last, sex: "Female", dob, ...a }
    const nH = b.nhs()
    const nW = b.nhs()
    const eH = b.gp(dH, nH)
    const eW = gi === 0 ? [] : [b.gp(dW, nW)]
    const hH = gi === 1 ? [] : [b.hero(dH)]
    const hW = b.hero(dW, { nhs: nH })
    b.group("spouseNhsMiskeyed", false, [{ hero_ids: hH, ehr_partner_ids: [eH] }, {
      hero_ids: [hW],
      ehr_partner_ids: eW
    }])
  })

  // Invented: a stranger's NHS number (someone elsewhere in the town, other name and dob) on a
  // Hero record whose own GP record is absent.
  const stranger: ReadonlyArray<[Demo, Demo]> = [
    [
      {
        first: "Colin",
        last: "Ramsden",
        sex: "Male",
        dob: "1945-07-07",
        line1: "2 Ash Grove",
        town: "Leeds",
        postcode: "LS6 2QT"
      },
      {
        first: "Zara",
        last: "Mahmood",
        sex: "Female",
        dob: "2007-01-25",
        line1: "88 Cliff Road",
        town: "Leeds",
        postcode: "LS6 4XW"
      }
    ],
    [
      {
        first: "Doreen",
        last: "Hepworth",
        sex: "Female",
        dob: "1939-03-13",
        line1: "14 Mill Lane",
        town: "York",
        postcode: "YO10 3BE"
      },
      {
        first: "Dorothy",
        last: "Hepworth",
        sex: "Female",
        dob: "1939-03-31",
        line1: "41 Mill Lane",
        town: "York",
        postcode: "YO10 3BF"
      }
    ],
    [
      {
        first: "Kyle",
        last: "Barker",
        sex: "Male",
        dob: "1990-06-18",
        line1: "7 Wharf Street",
        town: "Halifax",
        postcode: "HX1 5LT"
      },
      {
        first: "Kylie",
        last: "Barker",
        sex: "Female",
        dob: "1990-06-18",
        line1: "9 Wharf Street",
        town: "Halifax",
        postcode: "HX1 5LT"
      }
    ]
  ]
  stranger.forEach(([owner, other]) => {
    const n = b.nhs()
    const e = b.gp(owner, n)
    const h = b.hero(other, { nhs: n })
    b.group("strangerNhsOnHero", false, [{ hero_ids: [], ehr_partner_ids: [e] }, {
      hero_ids: [h],
      ehr_partner_ids: []
    }])
  })

  // Invented: a newborn registered on Hero with the mother's NHS number (same surname, address,
  // mobile); both Hero records carry the same verified number; the mother's GP record is here,
  // the baby's is not yet.
  const motherBaby: ReadonlyArray<[string, string, string, string, string]> = [
    ["Laura", "Baby", "Female", "Pickles", "1991-02-03"],
    ["Aaliyah", "Baby Boy", "Male", "Begum", "1996-08-14"],
    ["Kirsty", "Oliver", "Male", "Dawson", "1988-12-19"]
  ]
  motherBaby.forEach(([mum, baby, babySex, last, mumDob], gi) => {
    const a = nextAddress()
    const dM: Demo = { title: "Mrs", first: mum, last, sex: "Female", dob: mumDob, ...a }
    const dB: Demo = { first: baby, last, sex: babySex, dob: `2024-0${3 + gi}-1${gi}`, ...a }
    const nM = b.nhs()
    const eM = b.gp(dM, nM)
    const mob = b.mobile()
    const hM = b.hero(dM, { nhs: nM, mobile: mob })
    const hB = b.hero(dB, { nhs: nM, mobile: mob })
    b.group("babyOnMotherNhs", false, [{ hero_ids: [hM], ehr_partner_ids: [eM] }, {
      hero_ids: [hB],
      ehr_partner_ids: []
    }])
  })

  // Invented: "Baby Boy Murphy"-style placeholder twins with only ONE GP record in the world.
  const oneGpBabies: ReadonlyArray<[string, string]> = [["Quinn", "2024-05-05"], ["Lowther", "2024-02-11"], [
    "Bibi",
    "2023-11-30"
  ]]
  oneGpBabies.forEach(([last, dob], gi) => {
    const a = nextAddress()
    const first = gi === 2 ? "Twin 2" : "Baby Boy"
    const d: Demo = { first, last, sex: "Male", dob, ...a }
    const e = b.gp(gi === 2 ? { ...d, first: "Twin 1" } : d, b.nhs())
    const mob = b.mobile()
    const h1 = b.hero(gi === 2 ? { ...d, first: "Twin 1" } : d, { mobile: mob })
    const h2 = b.hero(d, { mobile: mob })
    b.group("placeholderTwinsOneGp", false, [{ hero_ids: [h1], ehr_partner_ids: [e] }, {
      hero_ids: [h2],
      ehr_partner_ids: []
    }])
  })

  // ------------------------------------------------------------ true duplicates (should merge)

  /** One person: GP record + the first Hero record, then a second Hero record from `second`. */
  const dup = (
    kind: string,
    d: Demo,
    second: (d: Demo) => Demo,
    opts: { firstNhs?: boolean; secondNhs?: boolean; sameMobile?: boolean; gpDemo?: Demo } = {}
  ) => {
    const nhs = b.nhs()
    const ehr = b.gp(opts.gpDemo ?? d, nhs, b.ehrRecords.length % 3 === 0 ? "systm_one" : "emis")
    const mob = b.mobile()
    const h1 = b.hero(d, { nhs: opts.firstNhs === false ? undefined : nhs, mobile: mob })
    const h2 = b.hero(second(d), {
      nhs: opts.secondNhs === true ? nhs : undefined,
      mobile: opts.sameMobile === false ? undefined : mob
    })
    b.group(kind, true, [{ hero_ids: [h1, h2], ehr_partner_ids: [ehr] }])
  }

  // A typo in the first name, no NHS number on the second record.
  const typos: ReadonlyArray<[string, string, string, string, string]> = [
    ["Catherine", "Cathrine", "Female", "Bell", "1968-07-21"],
    ["Christopher", "Christoper", "Male", "Holmes", "1983-02-14"],
    ["Margaret", "Margret", "Female", "Ashworth", "1941-10-31"],
    ["Jonathan", "Jonathon", "Male", "Pearson", "1975-05-05"]
  ]
  typos.forEach(([f1, f2, sex, last, dob], gi) => {
    const d: Demo = { title: sex === "Male" ? "Mr" : "Mrs", first: f1, last, sex, dob, ...nextAddress() }
    dup("typoFirstNameNoNhs", d, (x) => ({ ...x, first: f2 }), { sameMobile: gi % 2 === 0 })
  })

  // Accents and apostrophes.
  const accents: ReadonlyArray<[string, string, string, string, string, string, string]> = [
    ["Zoë", "O'Neill", "Zoe", "ONeill", "Female", "1992-08-08", "Miss"],
    ["Siân", "D'Arcy", "Sian", "Darcy", "Female", "1986-03-01", "Ms"],
    ["Seán", "O'Brien", "Sean", "O Brien", "Male", "1971-11-11", "Mr"],
    ["Renée", "Le'Roux", "Renee", "LeRoux", "Female", "1999-12-24", "Ms"]
  ]
  accents.forEach(([f1, l1, f2, l2, sex, dob, title], gi) => {
    const d: Demo = { title, first: f1, last: l1, sex, dob, ...nextAddress() }
    dup("accentsApostrophes", d, (x) => ({ ...x, first: f2, last: l2 }), { secondNhs: gi % 2 === 0 })
  })

  // Hyphenated first names.
  const hyphens: ReadonlyArray<[string, string, string, string, string]> = [
    ["Mary-Jane", "Mary Jane", "Female", "Wood", "1958-04-30"],
    ["Jean-Paul", "Jeanpaul", "Male", "Dubois", "1966-09-09"],
    ["Anna-Marie", "Annamarie", "Female", "Kelly", "1981-01-13"],
    ["Lily-Rose", "Lily Rose", "Female", "Turner", "2011-06-06"]
  ]
  hyphens.forEach(([f1, f2, sex, last, dob], gi) => {
    const d: Demo = { first: f1, last, sex, dob, ...nextAddress() }
    dup("hyphenatedFirstName", d, (x) => ({ ...x, first: f2 }), { secondNhs: gi !== 1 })
  })

  // Known by a middle name (James Peter Lowe, known as Peter): same NHS number.
  const middle: ReadonlyArray<[string, string, string, string, string]> = [
    ["James", "Peter", "Male", "Lowe", "1949-03-22"],
    ["Elizabeth", "Anne", "Female", "Rowntree", "1960-10-17"],
    ["William", "Rhys", "Male", "Pritchard", "1988-07-04"],
    ["Helen", "Louise", "Female", "Dunn", "1972-02-08"]
  ]
  middle.forEach(([f1, f2, sex, last, dob]) => {
    const d: Demo = { title: sex === "Male" ? "Mr" : "Mrs", first: f1, last, sex, dob, ...nextAddress() }
    dup("knownByMiddleName", d, (x) => ({ ...x, first: f2 }), { secondNhs: true })
  })

  // A date of birth with one digit wrong, same NHS number.
  const digits: ReadonlyArray<[string, string, string, string, string]> = [
    ["Rachel", "Female", "Moss", "1984-03-17", "1984-03-27"],
    ["Andrew", "Male", "Lees", "1957-06-02", "1951-06-02"],
    ["Simone", "Female", "Baptiste", "1990-11-19", "1990-01-19"],
    ["Gordon", "Male", "McAllister", "1946-08-15", "1946-08-16"]
  ]
  digits.forEach(([first, sex, last, dob1, dob2]) => {
    const d: Demo = { first, last, sex, dob: dob1, ...nextAddress() }
    dup("dobOneDigitWrong", d, (x) => ({ ...x, dob: dob2 }), { secondNhs: true })
  })

  // Moved house: the second Hero record has the old address and no NHS number; the GP record
  // and the first Hero record have the new one.
  const moved: ReadonlyArray<[string, string, string, string]> = [
    ["Victoria", "Female", "Sharpe", "1979-09-29"],
    ["Harold", "Male", "Blackburn", "1938-12-05"],
    ["Chloe", "Female", "Henderson", "2000-02-17"],
    ["Imran", "Male", "Chaudhry", "1982-04-10"]
  ]
  moved.forEach(([first, sex, last, dob], gi) => {
    const current = nextAddress()
    const old = nextAddress()
    const d: Demo = { first, last, sex, dob, ...current }
    dup("movedHouseNoNhs", d, (x) => ({ ...x, ...old }), { sameMobile: gi % 2 === 1 })
  })

  // Upper case and whitespace noise.
  const noise: ReadonlyArray<[string, string, string, string, string, string, string]> = [
    ["John", "Smithson", "  JOHN ", "  SMITHSON ", "Male", "1969-01-26", "Mr"],
    ["Karen", "Oakley", "karen", "oakley", "Female", "1964-05-31", "Mrs"],
    ["Peter", "Van Der Berg", "PETER", "van der berg ", "Male", "1952-08-12", "Mr"],
    ["Lucy", "Ward", " Lucy", "WARD  ", "Female", "1997-03-09", "Ms"]
  ]
  noise.forEach(([f1, l1, f2, l2, sex, dob, title], gi) => {
    const d: Demo = { title, first: f1, last: l1, sex, dob, ...nextAddress() }
    dup(
      "caseWhitespaceNoise",
      d,
      (x) => ({ ...x, first: f2, last: l2, postcode: x.postcode.toLowerCase().replace(" ", "") }),
      {
        secondNhs: gi % 2 === 1
      }
    )
  })

  // ------------------------------------------------------------------------- plain unique people
  for (let i = 0; i < 60; i++) {
    const female = i % 2 === 0
    const first = (female ? uniqueFirstF : uniqueFirstM)[Math.floor(i / 2) % 30]!
    const last = uniqueLast[i % uniqueLast.length]!
    const sex = female ? "Female" : "Male"
    const d: Demo = {
      title: female ? (i % 4 === 0 ? "Mrs" : "Ms") : "Mr",
      first,
      last,
      sex,
      dob: dobOf(i + 3),
      ...nextAddress()
    }
    const nhs = b.nhs()
    // Most have a GP record; every fifth is not registered at the practice.
    const ehr = i % 5 === 4 ? [] : [b.gp(d, nhs, i % 3 === 0 ? "systm_one" : "emis")]
    const hero = b.hero(d, { nhs: i % 4 === 3 ? undefined : nhs })
    b.group("unique", false, [{ hero_ids: [hero], ehr_partner_ids: ehr }])
  }
  // A few GP records with no Hero record at all.
  for (let i = 0; i < 8; i++) {
    const female = i % 2 === 1
    const d: Demo = {
      first: (female ? uniqueFirstF : uniqueFirstM)[(i * 7) % 30]!,
      last: uniqueLast[(i * 11 + 5) % uniqueLast.length]!,
      sex: female ? "Female" : "Male",
      dob: dobOf(i + 101),
      ...nextAddress()
    }
    b.gp(d, b.nhs())
  }

  return { seedFile: b.seedFile(), describe: b.describe }
}
