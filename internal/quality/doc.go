// Package quality measures the quality of registry records by the motto of
// Project 06: đúng, đủ, sạch, sống — correct, complete, clean, alive.
//
// A Checker assesses one record (a registry.Citizen as folded) on a day and
// returns an Assessment: the flags of the rules that fired, a score, one
// Finding per rule for the officer who fixes the record, and AliveFrom,
// the day a time-dependent rule would next begin to fire. Other code stores
// the flags and the score, aggregates them per commune and province with
// Summary, and lists the worst records (lowest score first).
//
// # Rules and their bits
//
// Rules is the list of rules. A rule's Bit is its position in the stored
// bitmask and its Code is what reports and clients use; neither ever
// changes, and a retired rule's bit is never reused. Bits are grouped by
// dimension (correct 0–15, complete 16–31, clean 32–47, alive 48–63), so a
// dimension's flags are one mask (DimensionMask).
//
// # Score
//
// A record starts at 100 and each rule that fires takes its Weight off,
// down to 0: ScoreOf(flags). A rule counts once however many fields break
// it. The weights (bit, code: weight):
//
//	correct (đúng)
//	 0 pid_malformed               40  number not 12 ASCII digits
//	 1 pid_digits_mismatch         30  place code, century/sex digit or year disagree with the record
//	 2 death_before_birth          30
//	 3 date_in_future              25  birth, death, missing, ID issue, residence, marriage, phone, legacy ID dates
//	 4 date_before_birth           20  the same dates (but birth and death) wholly before the birth date
//	 5 place_invalid_on_date       15  birth place, registration place, residence place, home town
//	 6 unknown_code                10  ethnicity, religion, nationality, birth or registration country
//	 7 place_country_conflict      10  a commune and a country both given, or "VN" as a country abroad
//	 8 status_inconsistent         20  status against death date, missing date, open residences, marriage
//	 9 residence_inconsistent      10  overlapping periods of one kind, end before start, temporary without term
//	complete (đủ)
//	16 missing_full_name           40  everyone, the dead included
//	17 missing_birth_date          40  everyone
//	18 missing_sex                 40  everyone (also an invalid value)
//	19 missing_registration_place  20  everyone: neither commune nor country of birth registration
//	20 missing_birth_place          5
//	21 missing_ethnicity            5
//	22 missing_religion             2  "none" (00) is a value; only an empty field counts
//	23 missing_nationality          5
//	24 missing_home_town            3
//	25 missing_permanent_residence 10  aged 14 or over, no permanent or temporary residence ever recorded
//	26 adult_without_phone          3  aged 18 or over, no phone number
//	27 birth_date_imprecise         5  only a year or a month, born after 1975
//	28 residence_without_address    3  an open residence period without address
//	clean (sạch)
//	32 junk_name                   20  full or other name: digits, symbols, "xxx", one letter, a placeholder
//	33 name_not_canonical           3  not NFC, stray spaces, misplaced tone marks, all capitals or lower case
//	34 name_missing_diacritics      3  a Vietnamese citizen's name starting "Nguyen", "Tran", "Le", ...
//	35 placeholder_value            5  residence address, death place, absence destination: "không rõ", "N/A", "xxx"
//	36 phone_malformed              5  not 10 digits starting 03, 05, 07, 08, 09
//	37 phone_test_number            5  last seven digits equal or a run (0900000000, 0912345678)
//	38 legacy_id_malformed          3  not 9 or 12 digits, or one digit repeated, or a run
//	39 duplicate_suspected         25  external: set by the duplicate detector, never by Assess
//	40 phone_shared                 3  external: set where one number is held by many persons
//	alive (sống)
//	48 temporary_residence_expired 10  the latest residence is temporary, its term passed, not closed
//	49 no_residence_in_force       10  aged 14 or over, residences recorded but none in force
//	50 over_120_alive              20  aged 120 or over, alive or missing
//	51 missing_not_followed_up      5  declared missing 3 years ago or more
//
// Severe correctness errors (a number that contradicts the person, dates
// that cannot be) and missing identity fields weigh most: such a record
// cannot be matched or trusted. Expected but optional data weighs least.
// TestWeightsDocumented checks this table against Rules.
//
// # Who the rules apply to
//
// Correct and clean rules apply to every record. Of the complete rules,
// the identity fields (full name, birth date, sex, place of birth
// registration) are required of everyone, the dead included, since a death
// record without them cannot be matched; the others apply to living people
// only, so a dead person is not faulted for a missing phone or residence.
// Alive rules apply to living people, except over_120_alive (also for the
// missing) and missing_not_followed_up (only for the missing).
//
// # Places and dates
//
// A place code means nothing without its date (see package place). A
// residence's commune must be in force on the day the period began; the
// birth place and registration place on the birth date or, as the registry
// accepts for late registrations, today. The catalogue knows nothing before
// its first list of 4 January 2025, so a code on an earlier date is read as
// that list's: a commune created later in 2025 used for a 1990 residence is
// faulted, one abolished before 2025 cannot be recognised at all and is
// faulted as unknown. A month or year covering two units with the code is
// not faulted. The home town may be any unit the catalogue has ever had.
//
// # Time
//
// Some rules fire with the passing of time alone: a temporary residence's
// term ends, a child turns 14 or 18, a person reaches 120, a declaration of
// missing grows old. Assess takes the day explicitly and Assessment.AliveFrom
// is the first later day on which one of them would newly fire, so a nightly
// job re-assesses only the records whose AliveFrom has come.
//
// # Language
//
// Rule titles are in Vietnamese and English. Finding.Message is in the
// Checker's Lang ("vi" by default); Describe takes the language for stored
// flags, and Rule.Message gives either from a finding's rule code.
//
// # Not checked here
//
// Agreement with other records (parents born before their children, a
// spouse married back) needs those records, and duplicates need the whole
// registry: the duplicate detector sets FlagDuplicateSuspected itself.
package quality
