package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"golang.org/x/text/language"

	"dancu/internal/errs"
)

// ProblemBase prefixes every problem type. The types are stable: clients
// may switch on them.
const ProblemBase = "urn:dancu:problem:"

// statusOf maps error kinds to HTTP status codes, in one place.
var statusOf = map[errs.Kind]int{
	errs.Internal:         http.StatusInternalServerError,
	errs.Invalid:          http.StatusBadRequest,
	errs.Unauthenticated:  http.StatusUnauthorized,
	errs.Forbidden:        http.StatusForbidden,
	errs.NotFound:         http.StatusNotFound,
	errs.Conflict:         http.StatusConflict,
	errs.Precondition:     http.StatusPreconditionFailed,
	errs.TooLarge:         http.StatusRequestEntityTooLarge,
	errs.Unsupported:      http.StatusUnsupportedMediaType,
	errs.Unprocessable:    http.StatusUnprocessableEntity,
	errs.Unavailable:      http.StatusServiceUnavailable,
	errs.MethodNotAllowed: http.StatusMethodNotAllowed,
	errs.TooMany:          http.StatusTooManyRequests,
}

// titles are the problem titles by code, in Vietnamese and English.
var titles = map[string][2]string{
	"internal":                   {"Lỗi hệ thống", "Internal error"},
	"invalid-field":              {"Dữ liệu không hợp lệ", "Invalid input"},
	"invalid-json":               {"Nội dung JSON không hợp lệ", "Malformed JSON"},
	"rule-violation":             {"Vi phạm quy tắc nghiệp vụ", "Registry rule violated"},
	"conflicting-event":          {"Xung đột với sự kiện đã ghi nhận", "Conflicts with a recorded event"},
	"not-found":                  {"Không tìm thấy", "Not found"},
	"unauthenticated":            {"Chưa xác thực", "Authentication required"},
	"forbidden":                  {"Không có quyền", "Forbidden"},
	"precondition-failed":        {"Dữ liệu đã thay đổi", "Precondition failed"},
	"payload-too-large":          {"Nội dung quá lớn", "Request body too large"},
	"unsupported-media-type":     {"Định dạng không được hỗ trợ", "Unsupported media type"},
	"idempotency-key-reused":     {"Khóa Idempotency-Key đã dùng cho yêu cầu khác", "Idempotency key reused"},
	"number-taken":               {"Số đã được cấp cho người khác", "Number already in use"},
	"method-not-allowed":         {"Phương thức không được phép", "Method not allowed"},
	"unavailable":                {"Dịch vụ tạm thời không sẵn sàng", "Service unavailable"},
	"number-space-exhausted":     {"Không cấp được số định danh, hãy thử lại", "No free personal ID number; try again"},
	"household-number-exhausted": {"Không cấp được số hộ, hãy thử lại", "No free household number; try again"},
	"maker-checker":              {"Cần cán bộ thứ hai phê duyệt", "A second officer must decide"},
	"merge-decided":              {"Đề nghị hợp nhất đã được xử lý", "Merge request already decided"},
	"candidate-decided":          {"Cặp nghi trùng đã được xử lý", "Duplicate candidate already decided"},
	"not-merged":                 {"Hồ sơ chưa được hợp nhất", "Not merged"},
	"no-account":                 {"Chưa có tài khoản định danh điện tử", "No e-ID account"},
	"too-many-attempts":          {"Quá nhiều lần thử, hãy thử lại sau", "Too many attempts; try again later"},
	"system-not-active":          {"Hệ thống chưa được phép kết nối", "System not active"},
	"not-a-member-system":        {"Không phải hệ thống của thành viên", "Not a member's system"},
	"no-grant":                   {"Chưa được cấp quyền cho mục đích này", "No grant for this purpose"},
	"fields-not-granted":         {"Trường dữ liệu ngoài phạm vi được cấp", "Fields outside the grant"},
	"consent-required":           {"Cần sự đồng ý của công dân", "The person's consent is required"},
	"invalid-token":              {"Mã truy cập không hợp lệ", "Invalid access token"},
	"rate-limited":               {"Quá nhiều yêu cầu", "Too many requests"},
	"wrong-stage":                {"Không thực hiện được ở giai đoạn này", "Not allowed at this stage"},
	"assessment-incomplete":      {"Chưa đủ nội dung đánh giá an toàn", "Security assessment incomplete"},
	"concurrent-change":          {"Dữ liệu đã bị thay đổi", "Changed meanwhile"},
	"batch-started":              {"Lô đã bắt đầu xử lý", "Batch already started"},
	"batch-finished":             {"Lô đã kết thúc", "Batch already finished"},
	"upload-offset":              {"Sai vị trí tải lên", "Wrong upload offset"},
}

var langMatcher = language.NewMatcher([]language.Tag{language.Vietnamese, language.English})

// english reports whether the client prefers English to Vietnamese.
func english(r *http.Request) bool {
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(tags) == 0 {
		return false
	}
	_, i, _ := langMatcher.Match(tags...)
	return i == 1
}

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type     string         `json:"type"`
	Title    string         `json:"title"`
	Status   int            `json:"status"`
	Detail   string         `json:"detail,omitempty"`
	Instance string         `json:"instance,omitempty"`
	Field    string         `json:"field,omitempty"`
	Errors   []ProblemField `json:"errors,omitempty"`
	Extra    map[string]any `json:"-"`
}

// ProblemField is one offending field.
type ProblemField struct {
	Field   string `json:"field"`
	Reason  string `json:"reason"`
	Detail  string `json:"detail"`
	Pointer string `json:"pointer,omitempty"`
}

// MarshalJSON puts extension members beside the standard ones.
func (p Problem) MarshalJSON() ([]byte, error) {
	type plain Problem
	b, err := json.Marshal(plain(p))
	if err != nil || len(p.Extra) == 0 {
		return b, err
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for k, v := range p.Extra {
		if _, taken := m[k]; !taken {
			m[k] = v
		}
	}
	return json.Marshal(m)
}

// writeError answers with the problem document for err. Errors that are
// not *errs.Error are internal: the client gets a generic message and the
// log gets the detail.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *errs.Error
	if !errors.As(err, &e) {
		// The route pattern, not the path: paths carry personal ID numbers.
		s.log.ErrorContext(r.Context(), "internal error", "method", r.Method, "route", r.Pattern, "request_id", requestID(r), "err", err)
		e = &errs.Error{Kind: errs.Internal, Code: "internal", Message: "An internal error occurred; it has been logged with the request id " + requestID(r) + "."}
	} else if e.Kind == errs.Internal {
		s.log.ErrorContext(r.Context(), "internal error", "request_id", requestID(r), "err", err)
	}
	status := statusOf[e.Kind]
	if status == 0 {
		status = http.StatusInternalServerError
	}
	code := e.Code
	if code == "" {
		code = "internal"
	}
	t, ok := titles[code]
	if !ok {
		t = [2]string{http.StatusText(status), http.StatusText(status)}
	}
	title := t[0]
	if english(r) {
		title = t[1]
	}
	p := Problem{Type: ProblemBase + code, Title: title, Status: status, Detail: e.Message, Instance: r.URL.Path, Extra: e.Extra}
	if ra, ok := e.Extra["retry_after"].(int); ok && e.Kind == errs.TooMany {
		w.Header().Set("Retry-After", strconv.Itoa(ra))
	}
	body := r.Method == http.MethodPost
	for _, f := range e.Fields {
		pf := ProblemField{Field: f.Name, Reason: f.Reason, Detail: f.Message}
		if body && !strings.ContainsAny(f.Name, "-") && f.Name != "pid" && f.Name != "id" {
			pf.Pointer = "#/" + strings.NewReplacer("[", "/", "]", "").Replace(f.Name)
		}
		p.Errors = append(p.Errors, pf)
	}
	if len(p.Errors) > 0 {
		p.Field = p.Errors[0].Field
	} else if f, ok := e.Extra["field"].(string); ok {
		p.Field = f
	}
	if p.Detail == "" && len(p.Errors) > 0 {
		p.Detail = p.Errors[0].Detail
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="dancu", error="invalid_token"`)
	}
	if e.Kind != errs.Internal && e.Kind != errs.Unauthenticated {
		s.log.InfoContext(r.Context(), "request refused", "status", status, "type", code, "field", p.Field, "request_id", requestID(r))
	}
	writeJSONStatus(w, "application/problem+json", status, p)
}

func writeJSONStatus(w http.ResponseWriter, contentType string, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"type":"`+ProblemBase+`internal","title":"Internal error","status":500}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
