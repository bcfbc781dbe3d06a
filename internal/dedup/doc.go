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
//     legacy ID numbers. Every piece of evidence is a Reason with its
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
//	            different_given_name, only_given_name_shared, different_middle_name,
//	            different_surname, name_missing
//	birth date  birth_date_equal, birth_date_placeholder_equal, birth_date_off_by_one,
//	            birth_day_month_swapped, birth_year_typo, birth_date_placeholder,
//	            birth_month_equal, birth_year_equal, birth_day_typo,
//	            birth_month_differs, birth_day_month_differ, birth_year_differs,
//	            birth_years_apart
//	places      same_birth_place, birth_place_recoded, birth_place_differs,
//	            birth_place_other_province, same_commune, commune_recoded,
//	            same_province, different_province
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
// and are proposed as duplicates. Pairs with little evidence besides the
// name — a year-only birth date, no parents, no shared number — score
// below Threshold even when they are duplicates, as they must: namesakes
// born the same year in one commune are not rare. A record without a name
// or a birth date is only filed under its legacy ID numbers.
package dedup
