/**
 * Given-name variants table for identity matching.
 *
 * When a Hero patient record is compared with a GP (EHR) record, two different first names fall
 * into one of three cases, and this module tells them apart:
 *
 * - **Diminutives** (Bob / Robert, Peggy / Margaret, Bill / William, Dai / David): the same name
 *   written formally in one record and familiarly in the other. Evidence of the *same* person.
 * - **Spelling variants** (Jon / John, Stephen / Steven, Sophie / Sophia, Katie / Katy): two
 *   *different* legitimate names that look alike. They are kept apart on purpose, because of the
 *   twin pattern: parents name twins Jon and John, or Katie and Katy, so a look-alike name with the
 *   same date of birth and surname is evidence of a *different* person, never nickname agreement.
 *   A pair listed here is never reported as diminutives, even when a diminutive group links them
 *   (Katie and Katy are both diminutives of Catherine: variants win).
 * - **Typos** (Jhon, Olvier, Catherinne): a string that is not a known given name at all
 *   (`isKnownGivenName` is false), which the caller may treat as a keying error.
 *
 * This is the project's own table, maintained here. It is modelled on the *shape* of the nickname
 * lists that record-linkage systems use (a formal name followed by its diminutives), but it was
 * written from general knowledge of English, Scottish, Irish and Welsh naming and of the South
 * Asian, Muslim, Polish and West African names common on UK GP lists. It is not copied from any
 * third-party list, and no external data should be pasted into it.
 *
 * Judgement calls, so that the table stays conservative (a wrong "diminutive" merges two people):
 * - Names that began as diminutives but are now given independently and are common in their own
 *   right are not linked to their origin (Lisa, Megan, Ella, Jenna, Mia, Nancy only to Ann/Anne).
 * - Cognates in other languages are not linked (Sean, Ian, Evan, Tomos are not John or Thomas)
 *   except Dafydd (David) and Hamish (James), which are routinely recorded interchangeably.
 * - Jo is a diminutive of Joanne, Joanna, Johanna and Josephine but not of Joseph (that is Joe),
 *   and Jo / Joe are spelling variants.
 *
 * How to extend it:
 * - `DIMINUTIVES`: one group per line, `formal diminutive diminutive …`. Alternative spellings of
 *   the formal name may be joined with `|` (`stephen|steven steve stevie`): the line then expands to
 *   one group per spelling with the same diminutives. A name may appear in several groups (`alex`,
 *   `sam`, `chris`). If the alternative spellings are different names for twin purposes, also list
 *   them in `SPELLING_VARIANTS`.
 * - `SPELLING_VARIANTS`: one group of look-alike, different legitimate names per line.
 * - `OTHER_NAMES`: common given names that have no group, any number per line.
 * - Every name is written already normalised (lower-case a–z, no accents, spaces or hyphens:
 *   `malgorzata`, `sian`, `maryjane`); lines starting with `#` are comments. The tests check the
 *   tables are normalised and free of duplicates within a group.
 * @internal
 */

// Letters that NFKD does not decompose, folded to the Latin letters they are usually typed as, so
// that `Małgorzata` and `Malgorzata` (a GP system without the diacritic) compare equal.
const folds: Readonly<Record<string, string>> = {
  "ł": "l",
  "ø": "o",
  "đ": "d",
  "ð": "d",
  "ħ": "h",
  "ı": "i",
  "ß": "ss",
  "æ": "ae",
  "œ": "oe",
  "þ": "th"
}

/**
 * Normalises a given name the way every function here compares it: accents stripped (NFKD, then
 * combining marks removed), lower case, letters NFKD leaves whole folded (`ł` → `l`, `ø` → `o`,
 * `ß` → `ss`, …) and every non-letter dropped, so `Zoë` → `zoe`, `Mary-Jane` → `maryjane`,
 * `O'Neill` → `oneill`. Idempotent, and a refinement of the demographic normalisation the callers
 * apply first.
 * @internal
 */
export const normalise = (name: string): string =>
  name.normalize("NFKD").replace(/\p{M}+/gu, "").toLowerCase().replace(/[łøđðħıßæœþ]/g, (c) => folds[c] ?? c)
    .replace(/[^\p{L}]+/gu, "")

// Formal name (alternative spellings joined by `|`) followed by its diminutives.
const DIMINUTIVES = `
# English and British, female
elizabeth|elisabeth liz lizzie lizzy beth betty bettie bette bess bessie betsy elsie libby eliza liza lilibet
elspeth elsie beth
margaret maggie mags meg peg peggy marge margie madge margo margot greta rita daisy maisie
marjorie|margery marge margie madge
mary molly mollie polly mae may mamie
sarah|sara sally sallie sadie sal
catherine|katherine|kathryn|katharine|catharine|cathryn|kathrine kate katie katy kath cath cathy kathy kitty kay kat kit
kathleen kath kathy kay
catriona cat trina
katrina kat trina
patricia pat patsy patty pattie trish trisha tricia tish
anne|ann annie nan nancy
anna annie ania anka
annabel|annabelle|annabella annie bella belle bel
rebecca|rebekah becky becca becki bex beck
victoria vicky vicki vickie vic tori tory
deborah|debra|debora debbie debby deb debs
susan sue susie suzie suzy susy
suzanne|susanne sue susie suzie suzy susy
susanna|susannah|suzanna sue susie suzie suzy susy
jennifer jen jenny jennie jenni
dorothy dot dottie dotty dolly
dorothea dora thea dot
theodora dora thea
barbara barb babs barbie basia
jacqueline jackie jacky jacqui jacquie jac
josephine jo josie jojo
joanne|joann jo jojo
joanna jo jojo asia joasia
johanna jo jojo
joan joanie
christine|kristine chris chrissie chrissy tina kirsty kirstie
christina|kristina chris chrissie chrissy tina kirsty kirstie kris
alexandra alex lexi lexie ali ally sandy sasha
alexis alex lexi lexie
sandra sandy sandie
nicola|nichola nicky nicki nikki nic nicci
nicole nicky nicki nikki nic
stephanie|stefanie steph stevie
samantha sam sammy sammie sammi
amanda mandy manda
gillian|jillian gill gillie gilly jill jilly
judith judy judi jude
pamela pam pammy
teresa|theresa tess tessa tessie terri terry
valerie val
beverley|beverly bev
lesley les
kimberley|kimberly kim kimmy
janet jan jenny jess jessie netta nettie
jane janey jan
janice jan
maureen mo
winifred win winnie freda
wilhelmina mina minnie
florence flo floss flossie florrie
gertrude gert gertie trudy trudie
edith edie
evelyn|eveline evie eve
evangeline evie
agnes aggie nessie
harriet|harriett hattie hatty
henrietta hetty hettie etta
hester hetty hettie
matilda|mathilda tilly tillie tilda mattie
ottilie tilly tillie
constance connie
cornelia connie
veronica ronnie
frances fran franny frankie fanny
francesca fran frankie chesca cesca
geraldine gerry geri dina
georgina georgie gina
georgia georgie
regina gina
virginia ginny ginnie
jessica jess jessie jessy
abigail abby abbie abbey abi gail
olivia liv livvy livvie
amelia millie milly
emily em emmy millie milly
emma em emmie emmy
eleanor|elinor|eleanore|elenor ellie elly nell nellie nora norah elle
honora nora norah
leonora nora
helen nell nellie
ellen nell nellie ellie
louise|louisa lou lulu
lucinda lucy cindy
cynthia cindy
penelope penny pen
philippa|phillipa pippa pip
rosemary|rosemarie rosie
rosalind|rosalyn ros roz rosie
rosamund ros roz rosie
rose rosie
madeleine|madeline|madelaine|madelyn maddie maddy
martha mattie marty patty
millicent millie milly
mildred millie milly
camilla millie milly cam
natalie|nathalie nat natty
natasha tash tasha nat
anastasia stacey stacy tasha
alison|allison|alyson ali ally allie
alice|alys ally allie
antonia toni
antoinette toni
caroline|carolyn|carolin caz caro carrie
charlotte charlie charley lottie lotty lotte
sharon shaz
karen kaz
clementine clem clemmie
miriam mim mimi
lillian|lilian lil lily lilly lillie
prudence prue pru
bernadette bernie
bridget|brigid|bridgette biddy bridie
deirdre dee
diana di
diane|dianne di
imogen immy
jemima mima jem
priscilla cilla
araminta minty
arabella bella belle
isabel|isobel|isabelle|isabell izzy issy bella belle
isabella|isabela izzy issy bella belle
gabrielle|gabriella gabby gabbie gabi
danielle|daniella|daniela dani
angela angie ange
angelina|angeline angie lina
roberta bobbie berta
frederica freddie freda
tabitha tabby
melanie mel
melissa mel missy lissa
melinda mel mindy
belinda bel
linda|lynda lin lindy
roxanne|roxana roxy
vanessa ness nessa
genevieve gen
vivian|vivien|vivienne viv
adelaide addie
adeline addie
cassandra cass cassie
loretta etta
violet vi
beatrice|beatrix bea bee trixie
esther essie
cecilia|cecily|cicely cissy cissie
felicity fliss flick
fiona fi
julia|julie jules
juliet|juliette jules
letitia|lettice lettie letty tish
dolores lola
bethany beth
rachel|rachael rach
sophia|sophie soph
# English and British, male
william bill billy will willie willy wills liam
richard dick dickie rick ricky richie rich
robert bob bobby bobbie rob robbie robby bert bertie rab rabbie
james jim jimmy jimmie jamie jem jimbo hamish
john jack jackie johnny johnnie jock
jonathan|jonathon|johnathan|johnathon jon jonny jonty jonno
edward ted teddy ed eddie eddy ned neddy
edmund|edmond ted ed eddie ned
edwin ed eddie
edgar ed eddie
henry harry hal hank
harold harry hal
thomas tom tommy thom
michael mike mick mickey micky mikey
daniel dan danny
joseph joe joey
benjamin ben benny benji benjy
benedict ben benny
samuel sam sammy sammie
christopher|kristopher chris kit topher kris christy
christian|kristian chris
matthew|mathew matt matty mat
andrew andy drew
nicholas|nicolas|nickolas nick nicky nico nic
peter pete
stephen|steven|stephan steve stevie
timothy tim timmy
anthony|antony tony ant
frederick|frederic|fredrick fred freddie freddy
alfred alf alfie fred freddie al
theodore theo ted teddy
archibald archie archy
gerald gerry jerry
gerard|gerrard ged gerry jerry
jeremy jez jerry
jerome jerry
jeremiah jerry
terence|terrence terry tel tez
raymond ray
leonard len lenny leo
lawrence|laurence larry laurie lol
kenneth ken kenny
geoffrey|jeffrey|jeffery|geoffery geoff jeff
douglas doug dougie
ronald ron ronnie
donald don donnie
reginald reg reggie
stanley stan
sidney|sydney sid
albert al bert bertie albie
walter walt wally
wallace wally
arthur art artie
ernest ernie
herbert herb herbie bert bertie
hubert bert
norbert bert
bertram|bertrand bert bertie
cuthbert bert
gilbert gil bert
norman norm
gordon gordie
dennis|denis den denny
clifford cliff
maurice|morris mo
francis frank frankie fran
franklin frank frankie
gregory greg
gareth gaz
gary|garry gaz
barry baz
darren daz
charles charlie charley chas chaz chuck
bernard bernie barney
barnaby|barnabas barney
bartholomew bart
dominic|dominick dom
nathaniel|nathanael nat nate
nathan nate nat
zachary|zachariah zac zack zach zak
oliver ollie olly
jacob|jakob jake
joshua josh
tobias toby
hugh hughie
isaac|isaak ike
maximilian max
maxwell max
maxim max
montague monty
montgomery monty
mortimer mort morty
oswald oz ozzy ossie
percival percy
peregrine perry
sebastian seb
vincent vince vinny vin
wilfred|wilfrid wilf fred
humphrey humph
leopold leo
leonardo leo
louis lou
martin marty
mervyn|mervin merv
neville nev
nigel nige
patrick pat paddy patsy
philip|phillip|filip phil pip
roderick|roderic rod roddy
rodney rod
russell russ
solomon sol
simon si
victor vic
augustus|augustine gus gussie
clement clem
cyril cy
cyrus cy
abraham abe bram
ezekiel zeke
jedediah|jedidiah jed
ferdinand ferdie ferdy
ignatius iggy
lancelot lance
valentine val
vernon vern
wesley wes
cameron cam
dexter dex
lorenzo enzo
mitchell mitch
gabriel gabe gabby
emmanuel|immanuel manny
ashley ash
stuart|stewart stu
bradley brad
randolph randy
rudolph rudy rudi
eugene gene
cornelius con
desmond des dessie
alexander alex alec alick sandy xander al ali
alan|allan|allen al
# Scottish
alasdair|alastair|alistair|alister ali ally al
angus gus
fergus fergie gus
duncan dunc
malcolm mal malky
lachlan lachie
callum|calum cal
# Irish
padraig|padraic paddy
# Welsh
david dave davy davie dai dafydd
llewellyn|llewelyn|llywelyn llew
gwendolen|gwendolyn|gwendoline gwen
gwyneth gwen
gwenllian gwen
griffith|gruffudd|gruffydd griff
iorwerth iolo
rhiannon rhi
bronwen|bronwyn bron
catrin cat
# Polish
aleksander olek alek alex
aleksandra ola olka alex
malgorzata gosia malgosia
katarzyna kasia kaska
wojciech wojtek
agnieszka aga
magdalena magda madzia
krzysztof krzys krzysiek
tomasz tomek
piotr piotrek
pawel pawelek
michal michalek
jan janek jasiek
andrzej jedrek
grzegorz grzes grzesiek
elzbieta ela elka
zofia zosia
jakub kuba
stanislaw stas stasiek staszek
maria marysia
jadwiga jadzia
bartosz bartek
urszula ula
izabela iza
jozef jozek
kazimierz kazik
przemyslaw przemek
radoslaw radek
wladyslaw wladek
zbigniew zbyszek
jaroslaw jarek
miroslaw mirek
# South Asian and Muslim
mohammed|muhammad|mohammad|mohamed|mohamad|muhammed mo
rajesh raj
rajinder raj
rajendra raj
rajkumar raj
jaswinder|jasvinder jas
jasmine jas jaz
krishna krish
# West African
babatunde tunde
adebayo bayo
oluwaseun seun
oluwafemi|olufemi femi
temitope tope temi
folasade sade
olusegun segun
adewale wale
oluwatosin tosin
oluwatobi tobi
oluwakemi kemi
oluwatoyin toyin
oluwadamilola damilola dami lola
chukwuemeka emeka
chiamaka amaka
ayodele ayo
oluwaseyi seyi
ifeoluwa ife
oluwabukola bukola bukky
oluwafunmilayo funmilayo funmi
`

// Groups of different legitimate names that look alike (the twin pattern), one group per line.
const SPELLING_VARIANTS = `
jon john
stephen steven stephan stefan
aaron aron arron
ann anne
philip phillip filip
matthew mathew
sarah sara
alan allan allen allyn alun
catherine katherine kathryn katharine catharine cathryn kathrine
lewis louis luis
isabel isobel isabelle isabell
isabella isabela
rachel rachael
jayden jaden jaiden jaydon
aiden aidan ayden aden
mohammed muhammad mohammad mohamed mohamad muhammed mohammod
stuart stewart
geoffrey jeffrey jeffery geoffery
sean shaun shawn
zoe zoey zoie
elliot elliott eliot
hayley haley hailey haylee
leigh lee
carl karl
eric erik
claire clare clair
sophie sophia sofia
louise louisa
frances francis
ellie elly
millie milly
isla islay
freya freja freyja
graham graeme grahame
neil neal niall neill
rhys reece rees reese
jamie jaime jaimie
connor conor conner
kieran ciaran kieron
callum calum
euan ewan ewen
owen owain
brendan brendon
eamon eamonn
jonathan jonathon johnathan johnathon
nicholas nicolas nickolas
christopher kristopher
christian kristian
anthony antony
frederick frederic fredrick
teresa theresa
deborah debra debora
rebecca rebekah
susanna susannah suzanna
suzanne susanne
gillian jillian
alison allison alyson
stacey stacy
tracey tracy
lindsay lindsey linsey lyndsey
ashley ashleigh
abbie abby abbey abi
katie katy
kathy cathy
kath cath
vicky vicki vickie
nicky nicki nikki
nicola nichola
jackie jacky jacqui jacquie
charlie charley
freddie freddy
ollie olly
zak zac zack zach
marc mark
carol carole
lynne lynn lyn
joanne joann
marian marion
caroline carolyn carolin
kirsty kirstie
kristen kirsten
christine kristine christina kristina
ahmed ahmad
hussain hussein husain
hassan hasan
fatima fatimah fatma
aisha ayesha aysha aishah
yusuf yousuf yousef yusef
zainab zaynab
khadija khadijah
maryam mariam
hamza hamzah
usman uthman osman
omar umar
amir ameer
sanjay sanjai
deepak dipak
pradeep pradip
harjit harjeet
nadia nadiya
ayaan ayan
ibrahim ebrahim
idris idrees
yasmin yasmine yasmeen
jaswinder jasvinder
megan meghan
lauren loren
leah lea
hannah hanna
amy aimee amie
jasmine jasmin
lily lilly lillie
molly mollie
emily emilie
lucy lucie
maisie maisy
layla leila laila leyla
aaliyah aliyah
brian bryan
dennis denis
derek derrick
terence terrence
lawrence laurence
leslie lesley
sidney sydney
gary garry
barry barrie
gerard gerrard
alasdair alastair alistair alister
vivian vivien vivienne
beverley beverly
kimberley kimberly
maria marie
julia julie
eleanor elinor eleanore elenor
nora norah
llewellyn llewelyn llywelyn
gwendolen gwendolyn gwendoline
margo margot
tricia trisha
toni tony
jo joe
nathaniel nathanael
jacob jakob
isaac isaak
lucas lukas
matilda mathilda
natalie nathalie
madeleine madeline madelaine madelyn
bridget brigid bridgette
padraig padraic
ciara keira kiera
dominic dominick
roderick roderic
wilfred wilfrid
mervyn mervin
alexander aleksander
alexandra aleksandra
stephanie stefanie
kayleigh kayley kaylee kaleigh
shane shayne
jodie jody jodi
sammy sammie sammi
bobby bobbie
robbie robby
jenny jennie jenni
debbie debby
sally sallie
lizzie lizzy
betty bettie bette
susie suzie suzy susy
griffith gruffudd gruffydd
edmund edmond
annabel annabelle annabella
elizabeth elisabeth
marjorie margery
evelyn eveline
harriet harriett
philippa phillipa
rosemary rosemarie
rosalind rosalyn
alice alys
lillian lilian
diane dianne
gabrielle gabriella
danielle daniella daniela
angelina angeline
linda lynda
roxanne roxana
beatrice beatrix
cecilia cecily cicely
juliet juliette
letitia lettice
bertram bertrand
maurice morris
barnaby barnabas
zachary zachariah
augustus augustine
jedediah jedidiah
emmanuel immanuel
bronwen bronwyn
oluwafemi olufemi
`

// Common given names on UK GP lists that have no group above (any number per line).
const OTHER_NAMES = `
eileen doreen irene edna ethel mavis gladys hilda vera phyllis muriel olive ivy iris audrey beryl brenda sheila
shirley sylvia june jean joyce norma pauline wendy hazel mabel clara grace ruby lorna moira morag ailsa eilidh
mhairi mairi shona morven iona rhona kirstin
siobhan niamh aoife caoimhe saoirse roisin sinead orla aisling grainne clodagh maeve eimear fionnuala mairead nuala
una oonagh aine
bethan cerys carys sian rhian ffion eleri lowri nia seren elin mali manon angharad nerys delyth glenys myfanwy
eluned heledd tegan
lisa donna dawn kelly leanne gemma jemma kerry jade chantelle charlene jenna carly holly shannon courtney paige
ava mia ella poppy scarlett harper willow esme aria luna maya sienna zara erin robyn amber caitlin
heidi keeley lacey naomi selina serena skye tanya tara tia tiffany yvonne michelle marianne elaine
paula joy janis heather rosa lydia alicia eva phoebe hope faith primrose marina petra monica
maryjane maryann maryanne annmarie
priya anita sunita asha meena neha pooja puja anjali kavita rekha seema shabana nasreen parveen shazia farzana
rubina samina nazia sadia amina hafsa safiya sana noor hina iqra alisha simran harpreet gurpreet manpreet jaspreet
navneet rupinder kiran parminder baljit sushila lakshmi gita geeta nisha divya shreya riya diya ananya kavya meera
tanvi rani deepa hema jyoti komal mehreen noreen razia rukhsana shamim tahira uzma zahra
monika ewa karolina natalia justyna agata dorota beata marta paulina weronika wiktoria oliwia zuzanna lena alicja
krystyna halina grazyna danuta iwona renata sylwia kinga patrycja klaudia martyna dominika ilona
chioma ngozi nneka ifeoma adaora folake yetunde abimbola titilayo abena akua ama efua esi adwoa afua yaa akosua
fatoumata aminata mariama isatou binta
george ralph roy clive colin keith trevor roger paul adrian glenn glen kevin jason craig wayne dean scott
ryan adam luke jordan kyle harrison hugo louie reuben rory ethan logan mason elijah
noah ezra hunter jaxon roman rowan ellis tyler riley kai oscar finley finlay horace cecil
fraser ross murray struan gregor innes ruaridh
cian darragh eoin oisin cillian ronan tadhg fionn dara diarmuid dermot declan colm cathal donal seamus killian
gethin huw ieuan iwan emyr rhodri osian aled dylan ioan meirion tomos gwilym geraint hywel iestyn carwyn cai elis
macsen morgan llyr ifan emrys berwyn bryn glyn wyn dewi tudor trefor islwyn evan
zain rayyan abdul abdullah arif nadeem naveed shahid sajid zahid rashid faisal kashif irfan farhan adnan
amjad javed junaid waqas waseem wasim yasir zubair raheem rahim raza rehan salman shoaib sohail talha tahir aamir
anwar aziz iqbal jamal karim mahmood mansoor mustafa nasir qasim rafiq saeed shakeel sultan zafar imran asif tariq
khalid bilal ismail ramesh suresh mahesh dinesh ganesh naresh mukesh rakesh ravi sanjeev sunil anil vijay ajay
amit ashok dilip sandeep kuldeep gurdeep jasbir harpal sukhdev manjit balbir paramjit ranjit kulwant arjun rohan
rahul vikram nikhil varun aarav hari gopal mohan prakash vinod arun nitin manoj manish rajiv sachin vivek yash dev
jay
marcin lukasz mateusz kamil dawid szymon kacper mikolaj antoni marek rafal maciej damian dariusz janusz jerzy
ryszard tadeusz wieslaw artur slawomir leszek mariusz patryk oskar igor krystian
chinedu obinna nnamdi ikenna chidi uche ifeanyi olumide kayode kunle dayo gbenga kwame kwabena kwaku kofi kojo
kwesi yaw ebo mamadou ibrahima ousmane moussa abdoulaye lamin babajide olawale chibuike tochukwu kelechi chukwudi
`

const parse = (table: string): ReadonlyArray<ReadonlyArray<string>> =>
  table.split("\n").map((line) => line.trim()).filter((line) => line.length > 0 && !line.startsWith("#"))
    .map((line) => line.split(/\s+/))

const expandDiminutives = (lines: ReadonlyArray<ReadonlyArray<string>>): ReadonlyArray<ReadonlyArray<string>> =>
  lines.flatMap(([formals, ...diminutives]) =>
    formals!.split("|").map((formal) => Object.freeze([formal, ...diminutives]))
  )

/**
 * The diminutive groups: each entry is `[formal, ...diminutives]` (lower-case letters only). A
 * formal name written with several spellings has one group per spelling.
 * @internal
 */
export const diminutiveGroups: ReadonlyArray<ReadonlyArray<string>> = Object.freeze(
  expandDiminutives(parse(DIMINUTIVES))
)

/**
 * Spelling-variant groups of DIFFERENT legitimate names that look alike (the twin pattern),
 * lower-case letters only.
 * @internal
 */
export const spellingVariantGroups: ReadonlyArray<ReadonlyArray<string>> = Object.freeze(
  parse(SPELLING_VARIANTS).map((group) => Object.freeze([...group]))
)

// A pair of distinct normalised names as one key (a space never occurs in a normalised name).
const pairKey = (a: string, b: string): string => a < b ? `${a} ${b}` : `${b} ${a}`

// Every unordered pair of distinct names that share a group, built once at load.
const pairsOf = (groups: ReadonlyArray<ReadonlyArray<string>>): ReadonlySet<string> => {
  const pairs = new Set<string>()
  for (const group of groups) {
    for (let i = 0; i < group.length; i++) {
      for (let j = i + 1; j < group.length; j++) {
        if (group[i] !== group[j]) pairs.add(pairKey(group[i]!, group[j]!))
      }
    }
  }
  return pairs
}

const diminutivePairs = pairsOf(diminutiveGroups)
const variantPairs = pairsOf(spellingVariantGroups)

const knownNames: ReadonlySet<string> = new Set([
  ...diminutiveGroups.flat(),
  ...spellingVariantGroups.flat(),
  ...parse(OTHER_NAMES).flat()
])

/**
 * `true` when `a` and `b` (different after normalisation) are a formal name and one of its
 * diminutives, or two diminutives of the same formal name (Bob / Rob, both of Robert), and are NOT
 * in the same spelling-variant group (Katie / Katy: variants win). Symmetric; `false` for equal
 * names. O(1): one lookup in a pair index built at load.
 * @internal
 */
export const areDiminutives = (a: string, b: string): boolean => {
  const x = normalise(a)
  const y = normalise(b)
  if (x.length === 0 || y.length === 0 || x === y) return false
  const key = pairKey(x, y)
  return diminutivePairs.has(key) && !variantPairs.has(key)
}

/**
 * `true` when `a` and `b` (different after normalisation) are in the same spelling-variant group:
 * look-alike different names such as Jon / John, the twin pattern. Symmetric; `false` for equal
 * names. O(1).
 * @internal
 */
export const areSpellingVariants = (a: string, b: string): boolean => {
  const x = normalise(a)
  const y = normalise(b)
  if (x.length === 0 || y.length === 0 || x === y) return false
  return variantPairs.has(pairKey(x, y))
}

/**
 * `true` when the name (after normalisation) is a known given name: it appears in a diminutive or
 * spelling-variant group, or in the list of other common given names on UK GP lists (male and
 * female, across generations and communities). `false` for strings such as `Jhon` or `Olvier`,
 * which the caller may treat as typos. O(1).
 * @internal
 */
export const isKnownGivenName = (name: string): boolean => knownNames.has(normalise(name))
