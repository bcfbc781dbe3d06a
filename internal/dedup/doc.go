// Package dedup finds records in the population registry that probably
// describe the same person, for registry officers to confirm or reject
// (the "sạch" — clean — of the data-quality motto "đúng, đủ, sạch, sống").
//
// It has three parts:
//
//   - Compare scores one pair of records. The score is a probability in
//     [0,1] built from weighted evidence, a log-odds sum in the manner of
//     Fellegi and Sunter: the name's rarity when the names agree, less what
//     their differences cost (folding and similarity from vntext, plus the
//     ways Vietnamese names really get mistyped), birth dates with their
//     precision, places through the 2025 reform's successions, parents,
//     legacy ID numbers, and what a family shares: the home town, the
//     address, a phone number. Every piece of evidence is a Reason with its
//     weight, so an officer sees why a pair was proposed, and
//     Score = logistic(Base + Σ Reason.Weight) exactly.
//   - BlockingKeys gives the keys under which a record is filed so that
//     probable duplicates share at least one key while blocks stay small.
//   - Finder holds millions of records compactly, compares the pairs that
//     share a block, each pair once, on all processors, and emits the
//     candidates worth an officer's time.
//
// Evaluate measures the scorer on hand-labelled pairs; the repository's
// testdata/dup-pairs.jsonl holds such pairs.
//
// # Names
//
// Names are compared part by part in the Kinh order (surname, middle
// names, given name) and, failing that, as a bag of parts (given name
// first, Ede and Jarai names written either way) or as letters without
// spaces. Two parts are the same when their folds agree (case and
// diacritics aside: "Nguyễn Văn An", "NGUYEN VAN AN", "Hoà"/"Hòa"),
// when they agree once remnants of Telex or VNI typing with the input
// method off are removed ("Nguyeenx Vawn", "Nguye6n4") and doubled letters
// kept once, or as spelling variants (Huỳnh/Hoàng, Võ/Vũ, Vy/Vi). Parts one
// slip apart (a letter dropped, doubled, swapped or replaced) are a typo,
// unless both are given names, middle names or surnames in use (Khang and
// Khanh, Thu and Thủy, Phạm and Phan are different names). A middle name
// present in one record only (Thị, Văn, or another) is missing, not
// conflicting.
//
// Two slips have readings of their own. Initial consonants that sound
// alike are written for one another, from dictation or by dialect: l and
// n, s and x, tr and ch, d, gi and r (one sound in the north) and v (one
// with d and gi in the south). Lan and Nan, Sương and Xương, Vân and Dân
// are one name misheard even when both are names in use
// ("given_name_sound_alike", weighed as a typo): parents do not give twins
// names that sound the same.
// And a part that is the other without its last letter was cut short (a
// full field, a key not pressed) when what is left is no name in use: one
// the tables do not know (Ki for Kim, La for Lan) or one that breaks the
// rules of Kinh spelling as written (Châ for Châu, Yê for Yến: â, ă, iê,
// uô, ươ need a final). Hà and Hân, Phú and Phúc, Than and Thanh stay two
// names.
//
// # Rules that override the evidence
//
// Some pairs are not duplicates however alike they look, and the score is
// capped; the cap appears as a negative Reason:
//
//   - Twins ("twins"): the records share a parent (the same mother or father
//     key, or the same parent's name), have the same full birth date, and
//     their given names differ, or the given names agree and the middle
//     names conflict (Lan Anh / Ngọc Anh). When the given names are one
//     slip apart and both are shaped like Vietnamese syllables
//     ("possible_twins": Loan/Loa) the score is capped below Threshold
//     instead, so an officer decides; a slip that breaks the syllable
//     ("Phượgn", "Trọg") is a slip.
//   - Siblings ("possible_siblings"): a shared parent, birth years apart,
//     and given names spelled differently (Hưng 1982, Hùng 1984) are capped
//     below Threshold: a brother or sister is likelier than a duplicate
//     with both a wrong year and a wrong letter.
//   - A shared legacy ID number overrides both: a number belongs to one
//     person.
//   - Parent and child ("parent_child"): one record names the other as
//     mother or father, or the birth years are 14 or more apart (a
//     generation, grandparents included). No slip is assumed to move a
//     birth year that far.
//   - Different sex ("different_sex"): data-entry errors in sex are rare,
//     while people of either sex share many given names (Anh, Linh, Châu,
//     Thanh Bình). A sex difference therefore caps the score below
//     ReviewThreshold, unless everything else matches exactly: the same
//     name in the same order without slips or missing parts (diacritics,
//     keyboard remnants and variants aside), the same full birth date, and
//     an independent link — a shared legacy ID number, or a shared parent
//     with no conflicting parent. Then the pair is scored as if the sex
//     agreed, less a little ("sex_differs").
//
// Evidence that does not override: different legacy ID numbers (cards are
// re-issued, and the 9-digit CMND was replaced by 12-digit numbers), a
// different residence commune (people move), a year-only or year-and-month
// birth date against a full date within it (compatible), 1 January against
// another day of the same year (1 January is the usual placeholder for an
// unknown birthday).
//
// # Birth dates
//
// Base assumes the birth years agree, so a date weighs what it adds to
// that: a full date agreeing is 1 in 365, which namesakes rarely share.
// Explained differences weigh less (day and month swapped, one day off, a
// digit of the year), and so do dates two or three days apart
// ("birth_date_days_off"): four days of the year are 1 in 90 for
// namesakes, and records of one person do differ by a few days (a birth
// registered late with the registration's date, a neighbouring row). An
// unexplained difference within the year is evidence against.
//
// # Evidence a family shares
//
// The home town (quê quán), the residences in force and the mobile numbers
// are evidence of one person only when the names agree. A family shares
// all three, so between records whose names conflict the likelier
// explanation is a relative (twins or a brother without parents on
// record, whom the twins rule cannot see), and they are not counted; nor
// do they shake the rules above: a father and son of one name in one
// house with one phone are still parent and child.
//
//   - Home town: most people's is where they were born, so when it is
//     also the birth place both records give it adds little
//     ("same_home_town" at +0.5); otherwise it is the family's origin
//     elsewhere, which namesakes of one year share about once in twenty,
//     lineages included (+3.0). Codes are compared through the place
//     catalogue like birth places ("home_town_recoded"). Home towns known
//     to differ are mild evidence against ("home_town_differs",
//     "home_town_other_province"): the home town is the father's and is
//     written on every record, but officers sometimes write the birth
//     place for it.
//   - Address: the same address in communes that are one place today, the
//     text compared folded and without the words written or left out at
//     will ("Số 12 phố Kim Mã" is "12 Kim Mã"). With a house or flat
//     number it is one household ("same_address", +5.0: far below the
//     odds, for boarding houses and blocks of flats written without the
//     flat hold hundreds); a hamlet, residential group or street alone is
//     one part of ten to thirty of the commune ("same_address_area",
//     +2.0). Either replaces the residence communes' evidence. Different
//     addresses are no evidence against: people move, and a duplicate is
//     often registered where the person lived before.
//   - Phone: a mobile number both records hold ("shared_phone", +5.0).
//     Numbers are shared within households (a parent's phone declared for
//     children and the elderly) and recycled by operators, which the rules
//     and the name condition answer; a namesake of the same year outside
//     them holding the same number is rarer still.
//
// # Blocking
//
// A pair is scored only if it shares a blocking key (see the kinds in
// blocking.go), so every slip the scorer forgives must leave some key
// intact. Keys read names with the sound-alike initials merged, for a slip
// in the first letter of a given name changes every key that holds the
// name when the given name is all that differs; and dates up to three days
// apart meet in windows of six days tiled twice, half a window apart, at
// the cost of two keys as for one day off. Blocks stay small: at most
// MaxBlock records are compared together, and a key of a common name is
// always narrowed by the year, the date, the commune or the province.
//
// # Places
//
// Commune codes are compared through the place catalogue: a code stands for
// every commune in force today that took it over (itself when it is a
// current code), so an old code and its successor are the same place
// ("birth_place_recoded", "commune_recoded"), and two communes whose
// successors lie in one province are in the same province. Codes the
// catalogue does not know are compared as strings.
//
// # Reasons
//
// Reason codes, for programs and message catalogues:
//
//	names       name_exact, name_folded_equal, name_similar (carry the name's rarity),
//	            name_order_swapped, name_order_shuffled, name_spacing,
//	            name_keyboard_remnants, surname_variant, name_spelling_variant,
//	            surname_typo, given_name_typo, middle_name_typo, middle_name_missing,
//	            surname_sound_alike, given_name_sound_alike, middle_name_sound_alike,
//	            different_given_name, only_given_name_shared, different_middle_name,
//	            different_surname, name_missing
//	birth date  birth_date_equal, birth_date_placeholder_equal, birth_date_off_by_one,
//	            birth_day_month_swapped, birth_year_typo, birth_date_placeholder,
//	            birth_date_days_off, birth_month_equal, birth_year_equal, birth_day_typo,
//	            birth_month_differs, birth_day_month_differ, birth_year_differs,
//	            birth_years_apart
//	places      same_birth_place, birth_place_recoded, birth_place_differs,
//	            birth_place_other_province, same_commune, commune_recoded,
//	            same_province, different_province
//	family      same_home_town, home_town_recoded, home_town_differs,
//	            home_town_other_province, same_address, same_address_area,
//	            shared_phone
//	parents     same_mother, mother_name_equal, mother_name_similar, different_mother,
//	            mother_keys_differ_names_match, and the same for father
//	numbers     same_legacy_id, different_legacy_ids
//	rules       twins, possible_twins, possible_siblings, parent_child,
//	            different_sex, sex_differs
//
// # Thresholds
//
// A pair is a Duplicate when its score is at least Threshold; Finder emits
// pairs from ReviewThreshold, so officers also see borderline pairs, marked
// Duplicate=false. Merging is never automatic: a Duplicate is a proposal.
//
// # Known limits
//
// Twins whose given names differ only in diacritics (Anh and Ánh) look
// exactly like a duplicate with a wrong tone mark, which is far commoner,
// and are proposed as duplicates; so are twins whose names sound alike or
// are one slip apart (Loan, Loa) when no parent is on record, for then the
// twins rule cannot see them. Pairs with little evidence besides the name
// — a year-only birth date, no parents, no shared number, address or
// phone — score below Threshold even when they are duplicates, as they
// must: namesakes born the same year in one commune are not rare. So do
// duplicates whose given name lost its last letter and became another name
// in use (Thanh typed Than, Anh typed An): twins are named so too. The
// spelling rules that mark a cut part (Châ) are Kinh ones; the names of the
// Ê Đê and Gia Rai (Niê, Kpă) may break them, and are only read so against
// a part one letter longer. Addresses are compared as written, not parsed:
// "Xóm 4, số 27" and "Số 27, xóm 4" are two addresses. A record without a
// name or a birth date is only filed under its legacy ID numbers.
package dedup
