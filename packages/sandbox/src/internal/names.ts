/** UK-flavoured synthetic name and address lists for the seed generator. @internal */

/** @internal */
export const femaleNames: ReadonlyArray<string> = [
  "Olivia",
  "Amelia",
  "Isla",
  "Ava",
  "Mia",
  "Ivy",
  "Lily",
  "Isabella",
  "Rosie",
  "Sophia",
  "Grace",
  "Freya",
  "Florence",
  "Willow",
  "Poppy",
  "Evie",
  "Ella",
  "Charlotte",
  "Emily",
  "Sienna",
  "Phoebe",
  "Harriet",
  "Margaret",
  "Susan",
  "Patricia",
  "Janet",
  "Eileen",
  "Joan",
  "Siobhan",
  "Aisha",
  "Priya",
  "Fatima",
  "Niamh",
  "Bethan",
  "Catherine",
  "Eleanor",
  "Hannah",
  "Jessica",
  "Lucy",
  "Megan"
]

/** @internal */
export const maleNames: ReadonlyArray<string> = [
  "Oliver",
  "George",
  "Noah",
  "Arthur",
  "Muhammad",
  "Leo",
  "Harry",
  "Oscar",
  "Archie",
  "Henry",
  "Theodore",
  "Freddie",
  "Jack",
  "Charlie",
  "Alfie",
  "Thomas",
  "William",
  "James",
  "David",
  "John",
  "Robert",
  "Michael",
  "Peter",
  "Stephen",
  "Gareth",
  "Rhys",
  "Callum",
  "Ewan",
  "Hamish",
  "Arjun",
  "Imran",
  "Declan",
  "Liam",
  "Owen",
  "Samuel",
  "Daniel",
  "Joseph",
  "Edward",
  "Matthew",
  "Benjamin"
]

/** @internal */
export const surnames: ReadonlyArray<string> = [
  "Smith",
  "Jones",
  "Taylor",
  "Brown",
  "Williams",
  "Wilson",
  "Johnson",
  "Davies",
  "Patel",
  "Robinson",
  "Wright",
  "Thompson",
  "Evans",
  "Walker",
  "White",
  "Roberts",
  "Green",
  "Hall",
  "Thomas",
  "Clarke",
  "Jackson",
  "Wood",
  "Harris",
  "Edwards",
  "Turner",
  "Martin",
  "Cooper",
  "Hill",
  "Ward",
  "Hughes",
  "Moore",
  "Clark",
  "King",
  "Harrison",
  "Lewis",
  "Baker",
  "Lee",
  "Allen",
  "Morris",
  "Khan",
  "Scott",
  "Watson",
  "Davis",
  "Parker",
  "James",
  "Bennett",
  "Young",
  "Phillips",
  "Richardson",
  "Mitchell",
  "Bailey",
  "Carter",
  "Cook",
  "Singh",
  "Shaw",
  "Bell",
  "Collins",
  "Morgan",
  "Kelly",
  "Begum",
  "Miller",
  "Cox",
  "Hussain",
  "Marshall",
  "Simpson",
  "Price",
  "Anderson",
  "Adams",
  "Wilkinson",
  "Ali",
  "Ahmed",
  "Foster",
  "Ellis",
  "Murphy",
  "Chapman",
  "Mason",
  "Gray",
  "Richards",
  "Webb",
  "Griffiths",
  "Hunt",
  "Palmer",
  "Campbell",
  "Holmes",
  "Mills",
  "Rogers",
  "Barnes",
  "Knight",
  "Matthews",
  "Barker",
  "Powell",
  "Stevens",
  "Kaur",
  "Fisher",
  "Butler",
  "Dixon",
  "Russell",
  "Harvey",
  "Pearson",
  "Graham",
  "O'Brien",
  "McDonald",
  "Fitzgerald",
  "Llewellyn"
]

/** @internal */
export const streets: ReadonlyArray<string> = [
  "High Street",
  "Station Road",
  "Main Street",
  "Park Road",
  "Church Road",
  "Church Street",
  "London Road",
  "Victoria Road",
  "Green Lane",
  "Manor Road",
  "Church Lane",
  "Park Avenue",
  "The Avenue",
  "The Crescent",
  "Queens Road",
  "New Road",
  "Grange Road",
  "Kings Road",
  "Kingsway",
  "Windsor Road",
  "Highfield Road",
  "Mill Lane",
  "Alexandra Road",
  "York Road",
  "Springfield Road",
  "Albert Road",
  "Chestnut Grove",
  "Orchard Close",
  "Meadow Way",
  "Beech Drive"
]

/** @internal */
export interface Town {
  readonly town: string
  readonly county: string
  readonly area: string
}

/** @internal */
export const towns: ReadonlyArray<Town> = [
  { town: "Leeds", county: "West Yorkshire", area: "LS" },
  { town: "Bradford", county: "West Yorkshire", area: "BD" },
  { town: "Manchester", county: "Greater Manchester", area: "M" },
  { town: "Sheffield", county: "South Yorkshire", area: "S" },
  { town: "Bristol", county: "Bristol", area: "BS" },
  { town: "Birmingham", county: "West Midlands", area: "B" },
  { town: "Nottingham", county: "Nottinghamshire", area: "NG" },
  { town: "Norwich", county: "Norfolk", area: "NR" },
  { town: "Exeter", county: "Devon", area: "EX" },
  { town: "York", county: "North Yorkshire", area: "YO" },
  { town: "Cambridge", county: "Cambridgeshire", area: "CB" },
  { town: "Brighton", county: "East Sussex", area: "BN" },
  { town: "Newcastle upon Tyne", county: "Tyne and Wear", area: "NE" },
  { town: "Cardiff", county: "South Glamorgan", area: "CF" },
  { town: "Oxford", county: "Oxfordshire", area: "OX" }
]

/** Letters used in the inward code of real postcodes (no C, I, K, M, O, V). @internal */
export const inwardLetters = "ABDEFGHJLNPQRSTUWXYZ"

/** @internal */
export const insurers: ReadonlyArray<string> = ["Bupa", "AXA Health", "Vitality", "Aviva", "WPA", "Simplyhealth"]

/** @internal */
export const attachmentNames: ReadonlyArray<string> = [
  "Referral letter.pdf",
  "Discharge summary.pdf",
  "Blood test results.pdf",
  "X-ray report.pdf",
  "Vaccination record.pdf"
]

/** A formal first name, a diminutive of it in British use, and the usual sex. @internal */
export interface Nickname {
  readonly formal: string
  readonly short: string
  readonly sex: "Male" | "Female"
}

const nick = (formal: string, short: string, sex: "Male" | "Female"): Nickname => ({ formal, short, sex })

/**
 * Formal names and their diminutives (the hard ones, Bob, Peggy, Dick, Ted, Bill, look nothing like
 * the formal name). After the Apache-2.0 `carltonnorthern/nicknames` list, with British additions.
 * @internal
 */
export const nicknames: ReadonlyArray<Nickname> = [
  nick("Robert", "Bob", "Male"),
  nick("Robert", "Rob", "Male"),
  nick("William", "Bill", "Male"),
  nick("William", "Will", "Male"),
  nick("James", "Jim", "Male"),
  nick("James", "Jimmy", "Male"),
  nick("Edward", "Ted", "Male"),
  nick("Edward", "Eddie", "Male"),
  nick("Alexander", "Alex", "Male"),
  nick("Alexander", "Sandy", "Male"),
  nick("Richard", "Dick", "Male"),
  nick("Richard", "Rick", "Male"),
  nick("Michael", "Mike", "Male"),
  nick("Thomas", "Tom", "Male"),
  nick("Anthony", "Tony", "Male"),
  nick("Christopher", "Chris", "Male"),
  nick("Nicholas", "Nick", "Male"),
  nick("Daniel", "Dan", "Male"),
  nick("Benjamin", "Ben", "Male"),
  nick("Joseph", "Joe", "Male"),
  nick("Samuel", "Sam", "Male"),
  nick("Matthew", "Matt", "Male"),
  nick("Stephen", "Steve", "Male"),
  nick("Frederick", "Fred", "Male"),
  nick("Henry", "Harry", "Male"),
  nick("Charles", "Charlie", "Male"),
  nick("Charles", "Chas", "Male"),
  nick("David", "Dave", "Male"),
  nick("Andrew", "Andy", "Male"),
  nick("Terence", "Terry", "Male"),
  nick("Leonard", "Len", "Male"),
  nick("Kenneth", "Ken", "Male"),
  nick("Patrick", "Paddy", "Male"),
  nick("Elizabeth", "Liz", "Female"),
  nick("Elizabeth", "Beth", "Female"),
  nick("Elizabeth", "Betty", "Female"),
  nick("Margaret", "Peggy", "Female"),
  nick("Margaret", "Maggie", "Female"),
  nick("Margaret", "Meg", "Female"),
  nick("Katherine", "Kate", "Female"),
  nick("Katherine", "Kathy", "Female"),
  nick("Susan", "Sue", "Female"),
  nick("Jennifer", "Jenny", "Female"),
  nick("Patricia", "Pat", "Female"),
  nick("Patricia", "Trish", "Female"),
  nick("Deborah", "Debbie", "Female"),
  nick("Rebecca", "Becky", "Female"),
  nick("Victoria", "Vicky", "Female"),
  nick("Catherine", "Cathy", "Female"),
  nick("Jacqueline", "Jackie", "Female"),
  nick("Dorothy", "Dot", "Female"),
  nick("Alexandra", "Alex", "Female"),
  nick("Christine", "Chris", "Female"),
  nick("Barbara", "Babs", "Female"),
  nick("Abigail", "Abby", "Female"),
  nick("Josephine", "Jo", "Female"),
  nick("Eleanor", "Ellie", "Female"),
  nick("Gillian", "Jill", "Female"),
  nick("Pamela", "Pam", "Female")
]

/** Two first names of twins that look alike (a spelling apart) and their sexes. @internal */
export interface SimilarNames {
  readonly a: string
  readonly b: string
  readonly sexA: "Male" | "Female"
  readonly sexB: "Male" | "Female"
}

const similar = (a: string, b: string, sexA: "Male" | "Female", sexB = sexA): SimilarNames => ({ a, b, sexA, sexB })

/** Similar first names of the same sex (the usual twin pattern). @internal */
export const similarFirstNames: ReadonlyArray<SimilarNames> = [
  similar("Jon", "John", "Male"),
  similar("Stephen", "Steven", "Male"),
  similar("Aron", "Aaron", "Male"),
  similar("Ann", "Anne", "Female"),
  similar("Philip", "Phillip", "Male"),
  similar("Matthew", "Mathew", "Male"),
  similar("Sara", "Sarah", "Female"),
  similar("Alan", "Allan", "Male"),
  similar("Katherine", "Catherine", "Female"),
  similar("Lewis", "Louis", "Male"),
  similar("Isobel", "Isabel", "Female"),
  similar("Jayden", "Jaden", "Male"),
  similar("Zoe", "Zoey", "Female"),
  similar("Hannah", "Hanna", "Female"),
  similar("Rachel", "Rachael", "Female"),
  similar("Carl", "Karl", "Male"),
  similar("Lindsay", "Lindsey", "Female"),
  similar("Geoffrey", "Jeffrey", "Male"),
  similar("Tracy", "Tracey", "Female"),
  similar("Neil", "Neal", "Male")
]

/** Similar first names of a boy and a girl (boy-girl twins). @internal */
export const similarFirstNamesMixed: ReadonlyArray<SimilarNames> = [
  similar("Francis", "Frances", "Male", "Female"),
  similar("Jesse", "Jessie", "Male", "Female"),
  similar("Joe", "Jo", "Male", "Female"),
  similar("Daniel", "Danielle", "Male", "Female"),
  similar("Paul", "Paula", "Male", "Female"),
  similar("Louis", "Louise", "Male", "Female")
]

/** A common full name (the names that share a date of birth by chance in a large list). @internal */
export interface CommonName {
  readonly firstName: string
  readonly lastName: string
  readonly sex: "Male" | "Female"
}

const common = (firstName: string, lastName: string, sex: "Male" | "Female"): CommonName => ({
  firstName,
  lastName,
  sex
})

/** @internal */
export const commonFullNames: ReadonlyArray<CommonName> = [
  common("Mohammed", "Khan", "Male"),
  common("Muhammad", "Ali", "Male"),
  common("Sarah", "Smith", "Female"),
  common("David", "Jones", "Male"),
  common("Emma", "Wilson", "Female"),
  common("James", "Smith", "Male"),
  common("John", "Smith", "Male"),
  common("Olivia", "Brown", "Female"),
  common("Jack", "Taylor", "Male"),
  common("Emily", "Jones", "Female"),
  common("Thomas", "Williams", "Male"),
  common("Jessica", "Taylor", "Female"),
  common("Daniel", "Patel", "Male"),
  common("Priya", "Patel", "Female"),
  common("Amelia", "Smith", "Female"),
  common("Oliver", "Jones", "Male"),
  common("Fatima", "Begum", "Female"),
  common("Ahmed", "Hussain", "Male"),
  common("Sophie", "Brown", "Female"),
  common("Michael", "Davies", "Male")
]

/** Names of blocks of flats. @internal */
export const blocksOfFlats: ReadonlyArray<string> = [
  "Marlowe Court",
  "Carlton House",
  "Victoria Mansions",
  "Riverside Court",
  "Kingfisher House",
  "Regent Court",
  "Alexandra House",
  "Beaumont Court",
  "Priory Heights",
  "Holly Lodge",
  "Wellington House",
  "St John's Court"
]

/** Placeholder names of unidentified patients (first name, surname). @internal */
export const placeholderNames: ReadonlyArray<readonly [string, string]> = [
  ["Unknown", "Unknown"],
  ["Not Known", "Not Known"]
]

/** The NHS pseudo-postcode for "no fixed abode". @internal */
export const noFixedAbodePostcode = "ZZ99 3VZ"
