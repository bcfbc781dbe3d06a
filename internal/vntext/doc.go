// Package vntext normalises, folds and compares Vietnamese text, chiefly
// personal names in the national population registry.
//
// Names are stored and displayed exactly as they were given (in NFC); the
// transformations here exist only to match names against each other:
//
//   - NFC is plain Unicode Normalization Form C.
//   - Canonical is NFC with every syllable's tone mark placed by one fixed
//     rule (the traditional placement: "Hòa", "Thúy", "Khỏe", "Thụy",
//     "Hoàng", "Quý", "Người"; see Canonical), whitespace collapsed.
//     Letters, vowel-quality marks and case never change.
//   - SameSpelling compares Canonical forms: tone placement does not
//     matter, diacritics and case do.
//   - Fold is the matching key: no case, no diacritics (đ is d), no
//     apostrophes, every other non-alphanumeric run is one space.
//     EqualFold and Tokens are built on it.
//   - Similarity scores two personal names in [0,1] for duplicate
//     detection, without assuming the order of the parts of a name.
//
// # Folding
//
// Fold keeps letters and digits and maps everything else to either nothing or
// a token boundary:
//
//   - Letters are lower-cased and decomposed (NFD) and every combining mark is
//     dropped, so the 134 precomposed Vietnamese letters, NFD input and
//     hand-typed combining sequences all fold alike: "Nguyễn", "Nguyê\u0303n",
//     "NGUYEN" -> "nguyen". đ/Đ (and the look-alikes ɖ/Ɖ, ð/Ð) fold to d. A few
//     other Latin letters without a decomposition are spelled out in ASCII:
//     ø->o, ł->l, ı->i, ħ->h, ŧ->t, ß->ss, æ->ae, œ->oe, þ->th. Fullwidth
//     ASCII (U+FF01..U+FF5E) folds like ASCII.
//   - Apostrophes of every kind (' ’ ‘ ʼ ʻ ` ´ ′ ＇ and similar) are removed
//     without a boundary, so the Ede/Jarai names "H'Hen", "H’Hen", "HʼHen"
//     and the frequent data-entry form "Hhen" all fold to "hhen". The
//     apostrophe is often dropped or typed with a different glyph, and no two
//     real names differ by it alone.
//   - Hyphens and dashes, whitespace, all other punctuation, symbols and
//     control characters separate tokens: "Jean-Pierre", "Jean Pierre" and
//     "Jean.Pierre" fold to "jean pierre". Invalid UTF-8 bytes separate too.
//   - Invisible format characters (soft hyphen, zero-width space and joiners,
//     byte-order mark, bidi controls) are removed without a boundary.
//   - Letters of other scripts, and Latin letters with neither a
//     decomposition nor an entry above (such as ŋ or ə), are kept,
//     lower-cased where the script has case. Hangul is kept composed.
//
// The output therefore holds ASCII [a-z0-9], single ASCII spaces between
// tokens (never leading or trailing), and those kept non-ASCII lower-case or
// caseless letters and digits.
//
// Fold needs no tone placement: once diacritics are gone the position of the
// tone mark no longer shows, so Fold(Canonical(s)) == Fold(s) for every s.
package vntext
