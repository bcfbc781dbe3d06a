package registry

import (
	"time"

	"dancu/internal/civil"
	"dancu/internal/pid"
)

// EventType names a kind of life or residence event.
type EventType string

const (
	EventBirth                   EventType = "birth"                              // đăng ký khai sinh
	EventPermanentResidence      EventType = "permanent_residence"                // đăng ký thường trú
	EventPermanentDeregistration EventType = "permanent_residence_deregistration" // xóa đăng ký thường trú
	EventTemporaryResidence      EventType = "temporary_residence"                // đăng ký tạm trú
	EventTemporaryDeregistration EventType = "temporary_residence_deregistration" // xóa đăng ký tạm trú
	EventTemporaryAbsence        EventType = "temporary_absence"                  // khai báo tạm vắng
	EventCurrentResidence        EventType = "current_residence"                  // khai báo nơi ở hiện tại
	EventMarriage                EventType = "marriage"                           // đăng ký kết hôn
	EventDivorce                 EventType = "divorce"                            // ly hôn
	EventNameChange              EventType = "name_change"                        // thay đổi họ, chữ đệm, tên
	EventCorrection              EventType = "correction"                         // cải chính hộ tịch
	EventDeath                   EventType = "death"                              // đăng ký khai tử
	EventMissing                 EventType = "missing"                            // tuyên bố mất tích
	EventMissingRevoked          EventType = "missing_revoked"                    // hủy tuyên bố mất tích
	EventPhoneNumber             EventType = "phone_number"                       // số thuê bao di động
	EventLegacyID                EventType = "legacy_id"                          // số CMND cũ
	EventMerge                   EventType = "merge"                              // hợp nhất hồ sơ trùng (bản giữ lại)
	EventMergedInto              EventType = "merged_into"                        // hồ sơ trùng đã hợp nhất vào bản khác
	EventUnmerge                 EventType = "unmerge"                            // hủy hợp nhất
)

// EventTypes lists every event type with its Vietnamese name.
var EventTypes = map[EventType]string{
	EventBirth:                   "Đăng ký khai sinh",
	EventPermanentResidence:      "Đăng ký thường trú",
	EventPermanentDeregistration: "Xóa đăng ký thường trú",
	EventTemporaryResidence:      "Đăng ký tạm trú",
	EventTemporaryDeregistration: "Xóa đăng ký tạm trú",
	EventTemporaryAbsence:        "Khai báo tạm vắng",
	EventCurrentResidence:        "Khai báo nơi ở hiện tại",
	EventMarriage:                "Đăng ký kết hôn",
	EventDivorce:                 "Ly hôn",
	EventNameChange:              "Thay đổi họ, chữ đệm, tên",
	EventCorrection:              "Cải chính hộ tịch",
	EventDeath:                   "Đăng ký khai tử",
	EventMissing:                 "Tuyên bố mất tích",
	EventMissingRevoked:          "Hủy tuyên bố mất tích",
	EventPhoneNumber:             "Cập nhật số điện thoại",
	EventLegacyID:                "Bổ sung số CMND",
	EventMerge:                   "Hợp nhất hồ sơ trùng",
	EventMergedInto:              "Hồ sơ đã hợp nhất vào hồ sơ khác",
	EventUnmerge:                 "Hủy hợp nhất hồ sơ",
}

// eventAliases are other spellings clients use for the same types.
var eventAliases = map[string]EventType{
	"permanent_registration":           EventPermanentResidence,
	"permanent_residence_registration": EventPermanentResidence,
	"permanent_deregistration":         EventPermanentDeregistration,
	"temporary_registration":           EventTemporaryResidence,
	"temporary_residence_registration": EventTemporaryResidence,
	"temporary_deregistration":         EventTemporaryDeregistration,
	"current_residence_declaration":    EventCurrentResidence,
	"temporary_absence_declaration":    EventTemporaryAbsence,
	"death_registration":               EventDeath,
	"marriage_registration":            EventMarriage,
	"divorce_registration":             EventDivorce,
}

// ParseEventType returns the event type a client named.
func ParseEventType(s string) (EventType, bool) {
	if _, ok := EventTypes[EventType(s)]; ok {
		return EventType(s), true
	}
	t, ok := eventAliases[s]
	return t, ok
}

// DefaultLegalBasis is recorded when a request names no legal basis.
var DefaultLegalBasis = map[EventType]string{
	EventBirth:                   "Luật Hộ tịch 2014, Điều 13–17",
	EventPermanentResidence:      "Luật Cư trú 2020, Điều 20–22",
	EventPermanentDeregistration: "Luật Cư trú 2020, Điều 24",
	EventTemporaryResidence:      "Luật Cư trú 2020, Điều 27–28",
	EventTemporaryDeregistration: "Luật Cư trú 2020, Điều 29",
	EventTemporaryAbsence:        "Luật Cư trú 2020, Điều 31",
	EventCurrentResidence:        "Luật Cư trú 2020, Điều 19",
	EventMarriage:                "Luật Hộ tịch 2014, Điều 17–18; Luật Hôn nhân và Gia đình 2014",
	EventDivorce:                 "Luật Hôn nhân và Gia đình 2014, Điều 51–57",
	EventNameChange:              "Bộ luật Dân sự 2015, Điều 28; Luật Hộ tịch 2014, Điều 26–28",
	EventCorrection:              "Luật Hộ tịch 2014, Điều 7, 26–28",
	EventDeath:                   "Luật Hộ tịch 2014, Điều 32–34",
	EventMissing:                 "Bộ luật Dân sự 2015, Điều 68",
	EventMissingRevoked:          "Bộ luật Dân sự 2015, Điều 70",
	EventPhoneNumber:             "Luật Căn cước 2023, Điều 9",
	EventLegacyID:                "Luật Căn cước 2023, Điều 9",
	EventMerge:                   "Luật Căn cước 2023, Điều 9–10; Nghị định 70/2024/NĐ-CP",
	EventMergedInto:              "Luật Căn cước 2023, Điều 9–10; Nghị định 70/2024/NĐ-CP",
	EventUnmerge:                 "Luật Căn cước 2023, Điều 9–10; Nghị định 70/2024/NĐ-CP",
}

// Event is one recorded change. It is immutable once stored.
type Event struct {
	// ID is public and unique.
	ID string
	// Seq orders events by recording; the store assigns it.
	Seq  int64
	Type EventType
	// Subject is the person the event is about.
	Subject PersonKey
	// Parties is everyone whose record the event changes, Subject first: the
	// spouse of a marriage or of a person who died, a new head of household.
	Parties    []PersonKey
	Effective  civil.Date
	RecordedAt time.Time
	// Officer is the id of the recording officer.
	Officer    string
	LegalBasis string
	Reason     string
	Data       Details
}

// Details are the type-specific facts of an event. Only the fields a type
// uses are set; persons are referred to by internal key, so a later
// correction of someone's number does not change what an event says.
type Details struct {
	// PID is the number a birth or a correction issued; RetiredPID the
	// number a correction retired.
	PID        pid.Number `json:"pid,omitempty"`
	RetiredPID pid.Number `json:"retired_pid,omitempty"`

	FullName            string     `json:"full_name,omitempty"`
	OtherNames          []string   `json:"other_names,omitempty"`
	BirthDate           civil.Date `json:"birth_date,omitzero"`
	Sex                 Sex        `json:"sex,omitempty"`
	BirthPlace          string     `json:"birth_place,omitempty"`
	BirthCountry        string     `json:"birth_country,omitempty"`
	RegistrationPlace   string     `json:"registration_place,omitempty"`
	RegistrationCountry string     `json:"registration_country,omitempty"`
	HomeTown            string     `json:"home_town,omitempty"`
	Ethnicity           string     `json:"ethnicity,omitempty"`
	Religion            string     `json:"religion,omitempty"`
	Nationality         string     `json:"nationality,omitempty"`
	Mother              PersonKey  `json:"mother_key,omitempty"`
	Father              PersonKey  `json:"father_key,omitempty"`

	Place        string     `json:"place,omitempty"`
	Address      string     `json:"address,omitempty"`
	HouseholdID  string     `json:"household_id,omitempty"`
	NewHousehold bool       `json:"new_household,omitempty"`
	Relation     Relation   `json:"relation,omitempty"`
	Until        civil.Date `json:"until,omitzero"`
	// NewHead becomes head of FromHousehold, the household the subject
	// leaves as its head (by moving, deregistering or dying).
	NewHead       PersonKey `json:"new_head_key,omitempty"`
	FromHousehold string    `json:"from_household_id,omitempty"`
	Destination   string    `json:"destination,omitempty"`

	Spouse PersonKey `json:"spouse_key,omitempty"`

	DeathPlace string `json:"death_place,omitempty"`

	Phone       string      `json:"phone,omitempty"`
	PhoneSource PhoneSource `json:"phone_source,omitempty"`
	Remove      bool        `json:"remove,omitempty"`

	LegacyID       string     `json:"legacy_id,omitempty"`
	LegacyIssuedOn civil.Date `json:"legacy_issued_on,omitzero"`

	// Merged is the duplicate record a merge or unmerge concerns; Survivor
	// the record it was merged into.
	Merged   PersonKey `json:"merged_key,omitempty"`
	Survivor PersonKey `json:"survivor_key,omitempty"`
	// MergeRequest is the id of the approved merge request.
	MergeRequest string `json:"merge_request,omitempty"`
}

// before reports whether e is applied before o: events apply in order of
// the first day of their effective date, then in the order recorded.
func (e *Event) before(o *Event) bool {
	if c := civil.Compare(e.Effective, o.Effective); c != 0 {
		return c < 0
	}
	return e.Seq < o.Seq
}
