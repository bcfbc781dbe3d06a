package quality

import (
	"math/bits"
	"slices"
	"strings"
)

// Dimension is one of the four parts of the data-quality motto "đúng, đủ,
// sạch, sống".
type Dimension string

const (
	Correct  Dimension = "correct"  // đúng: values agree with each other and with the catalogues
	Complete Dimension = "complete" // đủ: required and expected fields are present
	Clean    Dimension = "clean"    // sạch: no junk values, no duplicates
	Alive    Dimension = "alive"    // sống: the record is kept current by events
)

// Dimensions lists the dimensions in the motto's order.
var Dimensions = []Dimension{Correct, Complete, Clean, Alive}

// Title returns the dimension's name in lang ("vi" or "en"; anything else is
// read as Vietnamese).
func (d Dimension) Title(lang string) string {
	t, ok := dimensionTitles[d]
	if !ok {
		return string(d)
	}
	if english(lang) {
		return t[1]
	}
	return t[0]
}

var dimensionTitles = map[Dimension][2]string{
	Correct:  {"Đúng", "Correct"},
	Complete: {"Đủ", "Complete"},
	Clean:    {"Sạch", "Clean"},
	Alive:    {"Sống", "Alive"},
}

// Rule is one data-quality rule. A rule's Bit and Code never change once
// released: assessments are stored as a bitmask of rule bits, and reports
// and clients refer to rules by code. A retired rule keeps its bit, which is
// never given to another rule.
type Rule struct {
	// Bit is the rule's position in Assessment.Flags (0–63). Bits are
	// grouped by dimension: correct 0–15, complete 16–31, clean 32–47,
	// alive 48–63.
	Bit       uint
	Code      string
	Dimension Dimension
	// Weight is what the rule takes off the score of 100 when it fires.
	Weight int
	// Title says what is wrong, by language: "vi" and "en".
	Title map[string]string
	// Field is the record field the rule is about, as the API names it;
	// empty when the rule concerns several fields (a Finding of an
	// assessment then names the one at fault).
	Field string
	// External marks a rule that Assess never sets: its flag is set by a
	// process that looks at several records (the duplicate detector, the
	// shared-phone count) and kept across re-assessments with ExternalMask.
	External bool
	// TimeDependent marks a rule that can begin to fire with the passing
	// of time alone (an age reached, a term expired); see
	// Assessment.AliveFrom.
	TimeDependent bool
}

// Message returns the rule's title in lang ("vi" or "en"; anything else is
// read as Vietnamese, the language of the officers who fix records).
func (r Rule) Message(lang string) string {
	if english(lang) {
		return r.Title["en"]
	}
	return r.Title["vi"]
}

// english reports whether lang asks for English ("en", "en-GB", ...).
func english(lang string) bool {
	return lang == "en" || strings.HasPrefix(lang, "en-") || strings.HasPrefix(lang, "en_")
}

// Bits of the rules. They are stored in the database: never renumber one,
// never reuse one.
const (
	// correct (đúng): 0–15
	bitPIDMalformed        = 0
	bitPIDMismatch         = 1
	bitDeathBeforeBirth    = 2
	bitDateInFuture        = 3
	bitDateBeforeBirth     = 4
	bitPlaceInvalid        = 5
	bitUnknownCode         = 6
	bitPlaceCountry        = 7
	bitStatusInconsistent  = 8
	bitResidenceInconsist  = 9
	bitMissingFullName     = 16 // complete (đủ): 16–31
	bitMissingBirthDate    = 17
	bitMissingSex          = 18
	bitMissingRegistration = 19
	bitMissingBirthPlace   = 20
	bitMissingEthnicity    = 21
	bitMissingReligion     = 22
	bitMissingNationality  = 23
	bitMissingHomeTown     = 24
	bitMissingResidence    = 25
	bitAdultWithoutPhone   = 26
	bitBirthDateImprecise  = 27
	bitResidenceNoAddress  = 28
	bitJunkName            = 32 // clean (sạch): 32–47
	bitNameNotCanonical    = 33
	bitNameNoDiacritics    = 34
	bitPlaceholder         = 35
	bitPhoneMalformed      = 36
	bitPhoneTestNumber     = 37
	bitLegacyIDMalformed   = 38
	bitDuplicateSuspected  = 39
	bitPhoneShared         = 40
	bitTemporaryExpired    = 48 // alive (sống): 48–63
	bitNoResidenceInForce  = 49
	bitOver120Alive        = 50
	bitMissingNoFollowUp   = 51
)

// Flags that processes other than Assess set.
const (
	// FlagDuplicateSuspected is set by the duplicate detector on every
	// record of a suspected duplicate pair or group.
	FlagDuplicateSuspected uint64 = 1 << bitDuplicateSuspected
	// FlagPhoneShared is set on records whose phone number is held by more
	// persons than a household explains (a test or agent number typed into
	// many records).
	FlagPhoneShared uint64 = 1 << bitPhoneShared
	// ExternalMask holds every flag Assess never sets. When re-assessing a
	// record, keep these from the stored flags:
	//
	//	flags := a.Flags | stored&quality.ExternalMask
	//	score := quality.ScoreOf(flags)
	ExternalMask = FlagDuplicateSuspected | FlagPhoneShared
)

func vien(vi, en string) map[string]string { return map[string]string{"vi": vi, "en": en} }

// Rules lists every rule, in bit order. It is the contract with the
// database and the reports: a released rule's Bit and Code never change.
// Do not modify it.
var Rules = []Rule{
	// Correct (đúng).
	{Bit: bitPIDMalformed, Code: "pid_malformed", Dimension: Correct, Weight: 40, Field: "pid",
		Title: vien("Số định danh cá nhân không phải 12 chữ số", "Personal ID number is not 12 digits")},
	{Bit: bitPIDMismatch, Code: "pid_digits_mismatch", Dimension: Correct, Weight: 30, Field: "pid",
		Title: vien("Số định danh cá nhân không khớp với năm sinh, giới tính hoặc nơi đăng ký khai sinh",
			"Personal ID number disagrees with the birth year, sex or place of birth registration")},
	{Bit: bitDeathBeforeBirth, Code: "death_before_birth", Dimension: Correct, Weight: 30, Field: "death_date",
		Title: vien("Ngày mất trước ngày sinh", "Death date is before the birth date")},
	{Bit: bitDateInFuture, Code: "date_in_future", Dimension: Correct, Weight: 25,
		Title: vien("Ngày tháng ở tương lai", "Date is in the future")},
	{Bit: bitDateBeforeBirth, Code: "date_before_birth", Dimension: Correct, Weight: 20,
		Title: vien("Sự kiện có ngày trước ngày sinh", "Event dated before the person's birth")},
	{Bit: bitPlaceInvalid, Code: "place_invalid_on_date", Dimension: Correct, Weight: 15,
		Title: vien("Mã đơn vị hành chính không có hiệu lực vào ngày tương ứng",
			"Administrative unit code not in force on its date")},
	{Bit: bitUnknownCode, Code: "unknown_code", Dimension: Correct, Weight: 10,
		Title: vien("Mã không có trong danh mục (dân tộc, tôn giáo, quốc tịch, quốc gia)",
			"Code not in its catalogue (ethnicity, religion, nationality, country)")},
	{Bit: bitPlaceCountry, Code: "place_country_conflict", Dimension: Correct, Weight: 10,
		Title: vien("Ghi cả xã và quốc gia, hoặc ghi Việt Nam là nước ngoài",
			"Both a commune and a country given, or Viet Nam given as a country abroad")},
	{Bit: bitStatusInconsistent, Code: "status_inconsistent", Dimension: Correct, Weight: 20,
		Title: vien("Trạng thái không khớp với ngày mất, ngày mất tích, nơi cư trú hoặc hôn nhân",
			"Status disagrees with the death date, missing date, residences or marriages")},
	{Bit: bitResidenceInconsist, Code: "residence_inconsistent", Dimension: Correct, Weight: 10, Field: "residences",
		Title: vien("Thời hạn cư trú không hợp lệ (chồng lấn, kết thúc trước khi bắt đầu, tạm trú không có thời hạn)",
			"Residence periods inconsistent (overlapping, ending before they start, temporary without an end date)")},

	// Complete (đủ).
	{Bit: bitMissingFullName, Code: "missing_full_name", Dimension: Complete, Weight: 40, Field: "full_name",
		Title: vien("Thiếu họ, chữ đệm và tên", "Full name missing")},
	{Bit: bitMissingBirthDate, Code: "missing_birth_date", Dimension: Complete, Weight: 40, Field: "birth_date",
		Title: vien("Thiếu ngày sinh", "Birth date missing")},
	{Bit: bitMissingSex, Code: "missing_sex", Dimension: Complete, Weight: 40, Field: "sex",
		Title: vien("Thiếu hoặc sai giới tính", "Sex missing or invalid")},
	{Bit: bitMissingRegistration, Code: "missing_registration_place", Dimension: Complete, Weight: 20, Field: "registration_place",
		Title: vien("Thiếu nơi đăng ký khai sinh", "Place of birth registration missing")},
	{Bit: bitMissingBirthPlace, Code: "missing_birth_place", Dimension: Complete, Weight: 5, Field: "birth_place",
		Title: vien("Thiếu nơi sinh", "Birthplace missing")},
	{Bit: bitMissingEthnicity, Code: "missing_ethnicity", Dimension: Complete, Weight: 5, Field: "ethnicity",
		Title: vien("Thiếu dân tộc", "Ethnicity missing")},
	{Bit: bitMissingReligion, Code: "missing_religion", Dimension: Complete, Weight: 2, Field: "religion",
		Title: vien("Thiếu tôn giáo", "Religion missing")},
	{Bit: bitMissingNationality, Code: "missing_nationality", Dimension: Complete, Weight: 5, Field: "nationality",
		Title: vien("Thiếu quốc tịch", "Nationality missing")},
	{Bit: bitMissingHomeTown, Code: "missing_home_town", Dimension: Complete, Weight: 3, Field: "home_town",
		Title: vien("Thiếu quê quán", "Home town missing")},
	{Bit: bitMissingResidence, Code: "missing_permanent_residence", Dimension: Complete, Weight: 10, Field: "residences", TimeDependent: true,
		Title: vien("Người từ 14 tuổi chưa có nơi thường trú hoặc tạm trú",
			"Aged 14 or over with no permanent or temporary residence recorded")},
	{Bit: bitAdultWithoutPhone, Code: "adult_without_phone", Dimension: Complete, Weight: 3, Field: "phones", TimeDependent: true,
		Title: vien("Người từ 18 tuổi chưa có số điện thoại", "Aged 18 or over with no phone number")},
	{Bit: bitBirthDateImprecise, Code: "birth_date_imprecise", Dimension: Complete, Weight: 5, Field: "birth_date",
		Title: vien("Ngày sinh chỉ có năm hoặc tháng (sinh sau năm 1975)",
			"Birth date has only a year or a month (born after 1975)")},
	{Bit: bitResidenceNoAddress, Code: "residence_without_address", Dimension: Complete, Weight: 3, Field: "residences",
		Title: vien("Nơi cư trú thiếu địa chỉ", "Residence without an address")},

	// Clean (sạch).
	{Bit: bitJunkName, Code: "junk_name", Dimension: Clean, Weight: 20, Field: "full_name",
		Title: vien("Họ tên chứa chữ số, ký tự lạ hoặc giá trị giữ chỗ",
			"Name holds digits, stray characters or a placeholder")},
	{Bit: bitNameNotCanonical, Code: "name_not_canonical", Dimension: Clean, Weight: 3, Field: "full_name",
		Title: vien("Họ tên chưa đúng dạng chuẩn (mã Unicode, vị trí dấu thanh, khoảng trắng, chữ hoa)",
			"Name not in canonical form (Unicode form, tone mark placement, spacing, capitals)")},
	{Bit: bitNameNoDiacritics, Code: "name_missing_diacritics", Dimension: Clean, Weight: 3, Field: "full_name",
		Title: vien("Họ tên viết không dấu", "Name written without diacritics")},
	{Bit: bitPlaceholder, Code: "placeholder_value", Dimension: Clean, Weight: 5,
		Title: vien("Trường chứa giá trị giữ chỗ (không rõ, N/A, xxx)", "Field holds a placeholder (không rõ, N/A, xxx)")},
	{Bit: bitPhoneMalformed, Code: "phone_malformed", Dimension: Clean, Weight: 5, Field: "phones",
		Title: vien("Số điện thoại không đúng dạng số di động Việt Nam", "Phone number is not a well-formed Vietnamese mobile number")},
	{Bit: bitPhoneTestNumber, Code: "phone_test_number", Dimension: Clean, Weight: 5, Field: "phones",
		Title: vien("Số điện thoại có dạng số thử hoặc số giả", "Phone number looks like a test or made-up number")},
	{Bit: bitLegacyIDMalformed, Code: "legacy_id_malformed", Dimension: Clean, Weight: 3, Field: "legacy_ids",
		Title: vien("Số chứng minh nhân dân cũ không hợp lệ", "Legacy ID number malformed")},
	{Bit: bitDuplicateSuspected, Code: "duplicate_suspected", Dimension: Clean, Weight: 25, External: true,
		Title: vien("Nghi trùng với hồ sơ khác", "Suspected duplicate of another record")},
	{Bit: bitPhoneShared, Code: "phone_shared", Dimension: Clean, Weight: 3, Field: "phones", External: true,
		Title: vien("Số điện thoại dùng chung cho nhiều người", "Phone number shared by many persons")},

	// Alive (sống).
	{Bit: bitTemporaryExpired, Code: "temporary_residence_expired", Dimension: Alive, Weight: 10, Field: "residences", TimeDependent: true,
		Title: vien("Tạm trú đã hết hạn mà không gia hạn hoặc xóa đăng ký",
			"Temporary residence expired without renewal or deregistration")},
	{Bit: bitNoResidenceInForce, Code: "no_residence_in_force", Dimension: Alive, Weight: 10, Field: "residences", TimeDependent: true,
		Title: vien("Người từ 14 tuổi không còn nơi cư trú nào có hiệu lực", "Aged 14 or over with no residence in force")},
	{Bit: bitOver120Alive, Code: "over_120_alive", Dimension: Alive, Weight: 20, Field: "status", TimeDependent: true,
		Title: vien("Từ 120 tuổi trở lên nhưng chưa được khai tử", "Aged 120 or over and not recorded as dead")},
	{Bit: bitMissingNoFollowUp, Code: "missing_not_followed_up", Dimension: Alive, Weight: 5, Field: "missing_since", TimeDependent: true,
		Title: vien("Bị tuyên bố mất tích quá 3 năm mà chưa được xử lý tiếp",
			"Declared missing more than 3 years ago with no follow-up")},
}

// Tables derived from Rules once.
var (
	ruleAt   [64]*Rule      // by bit
	weightAt [64]int        // by bit
	byCode   map[string]int // code -> index in Rules
	// order lists the indexes of Rules worst first: by weight, then bit.
	// Findings come in this order.
	order []int
	// timeMask holds the flags of time-dependent rules, ruleMask those of
	// every rule.
	timeMask, ruleMask uint64
)

func init() {
	byCode = make(map[string]int, len(Rules))
	for i := range Rules {
		r := &Rules[i]
		if r.Bit > 63 || ruleAt[r.Bit] != nil {
			panic("quality: rule " + r.Code + ": bit out of range or used twice")
		}
		if _, dup := byCode[r.Code]; dup {
			panic("quality: rule code " + r.Code + " used twice")
		}
		ruleAt[r.Bit] = r
		weightAt[r.Bit] = r.Weight
		byCode[r.Code] = i
		order = append(order, i)
		ruleMask |= 1 << r.Bit
		if r.TimeDependent {
			timeMask |= 1 << r.Bit
		}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if Rules[a].Weight != Rules[b].Weight {
			return Rules[b].Weight - Rules[a].Weight
		}
		return int(Rules[a].Bit) - int(Rules[b].Bit)
	})
}

// RuleByCode returns the rule with the given code.
func RuleByCode(code string) (Rule, bool) {
	i, ok := byCode[code]
	if !ok {
		return Rule{}, false
	}
	return Rules[i], true
}

// Flag returns the flag of the rule with the given code, or 0 for an unknown
// code.
func Flag(code string) uint64 {
	if i, ok := byCode[code]; ok {
		return 1 << Rules[i].Bit
	}
	return 0
}

// DimensionMask returns the flags of every rule of a dimension.
func DimensionMask(d Dimension) uint64 {
	var m uint64
	for _, r := range Rules {
		if r.Dimension == d {
			m |= 1 << r.Bit
		}
	}
	return m
}

// ScoreOf returns the score a set of flags gives: 100 minus the weights of
// the rules whose flags are set, at least 0. Bits no rule has are ignored.
// Aggregates use it after adding flags Assess does not set (duplicates) or
// flags that time has made fire.
func ScoreOf(flags uint64) int {
	score := 100
	for f := flags; f != 0; f &= f - 1 {
		score -= weightAt[bits.TrailingZeros64(f)]
	}
	return max(score, 0)
}

// Describe returns a finding for every rule whose flag is set, worst first,
// with the message in lang ("vi" or "en") and the rule's own Field. It is
// what a report shows for stored flags; the findings of an assessment name
// the exact field instead (such as "residences[2].place").
func Describe(flags uint64, lang string) []Finding {
	return findings(flags, nil, lang)
}

// findings builds the findings for flags, worst first. fields, when not nil,
// holds the offending field by bit; a rule's own Field stands in for a
// missing one.
func findings(flags uint64, fields *[64]string, lang string) []Finding {
	flags &= ruleMask
	if flags == 0 {
		return nil
	}
	out := make([]Finding, 0, bits.OnesCount64(flags))
	for _, i := range order {
		r := &Rules[i]
		if flags&(1<<r.Bit) == 0 {
			continue
		}
		f := Finding{Rule: r.Code, Dimension: r.Dimension, Field: r.Field, Message: r.Message(lang)}
		if fields != nil && fields[r.Bit] != "" {
			f.Field = fields[r.Bit]
		}
		out = append(out, f)
	}
	return out
}
