// Package catalog holds the reference code lists that Viet Nam's population
// registry records use: the 54 ethnic groups (dân tộc) of the General
// Statistics Office's 2008 list, with a mapping from the older 1979 codes;
// the recognised religions (tôn giáo) under dancu's own stable codes; and the
// ISO 3166-1 country list, whose 3-digit numeric code is the place code a
// personal identification number carries for a birth registered abroad.
//
// The lists are small CSV files embedded from the data directory (see
// data/README.md for the source of each list and what is uncertain). They are
// parsed once, on first use; every function is safe for concurrent use and
// returns copies, so callers may modify what they get.
//
// Name lookups (EthnicityByName, ReligionByName, CountryByName) are
// insensitive to case, Vietnamese diacritics (đ counts as d), hyphens,
// apostrophes and spacing, so "ede", "Ê-đê" and "Ê Đê" all find the same
// group.
package catalog
