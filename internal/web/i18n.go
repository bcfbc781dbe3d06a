package web

import (
	"net/http"

	"golang.org/x/text/language"
)

// Lang is a page's language.
type Lang int

const (
	Vietnamese Lang = iota // the default
	English
)

func (l Lang) Code() string {
	if l == English {
		return "en"
	}
	return "vi"
}

var matcher = language.NewMatcher([]language.Tag{language.Vietnamese, language.English})

// langOf chooses the language: ?lang=, then the cookie the language
// switch sets, then Accept-Language; Vietnamese when nothing says.
func langOf(r *http.Request) Lang {
	pick := func(s string) (Lang, bool) {
		switch s {
		case "vi":
			return Vietnamese, true
		case "en":
			return English, true
		}
		return 0, false
	}
	if l, ok := pick(r.URL.Query().Get("lang")); ok {
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil {
		if l, ok := pick(c.Value); ok {
			return l
		}
	}
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err == nil && len(tags) > 0 {
		if _, i, _ := matcher.Match(tags...); i == 1 {
			return English
		}
	}
	return Vietnamese
}

// T returns a message in the language; the key itself when unknown, so a
// missing translation shows rather than hides.
func (l Lang) T(key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	return m[l]
}

// messages are every text of the pages, in Vietnamese and English.
var messages = map[string][2]string{
	"brand":                        {"Định danh điện tử", "Electronic identification"},
	"brand.sub":                    {"Cơ sở dữ liệu quốc gia về dân cư", "National population registry"},
	"lang.switch":                  {"English", "Tiếng Việt"},
	"lang.other":                   {"en", "vi"},
	"pid":                          {"Số định danh cá nhân", "Personal ID number"},
	"password":                     {"Mật khẩu", "Password"},
	"password.new":                 {"Mật khẩu mới", "New password"},
	"password.repeat":              {"Nhập lại mật khẩu", "Repeat the password"},
	"password.current":             {"Mật khẩu hiện tại", "Current password"},
	"password.hint":                {"Ít nhất 8 ký tự. Nên dùng một cụm từ dễ nhớ; không dùng mật khẩu phổ biến, số định danh hay số điện thoại.", "At least 8 characters. A memorable phrase is best; not a common password, your ID number or your phone number."},
	"password.mismatch":            {"Hai mật khẩu không giống nhau.", "The two passwords differ."},
	"full_name":                    {"Họ, chữ đệm và tên", "Full name"},
	"birth_date":                   {"Ngày sinh (năm-tháng-ngày)", "Date of birth (year-month-day)"},
	"phone":                        {"Số điện thoại di động", "Mobile phone number"},
	"email":                        {"Thư điện tử", "E-mail"},
	"code":                         {"Mã xác thực", "Code"},
	"submit":                       {"Tiếp tục", "Continue"},
	"cancel":                       {"Hủy", "Cancel"},
	"login.title":                  {"Đăng nhập", "Log in"},
	"login.for":                    {"để vào", "to continue to"},
	"login.button":                 {"Đăng nhập", "Log in"},
	"login.passkey":                {"Đăng nhập bằng khóa truy cập (passkey)", "Log in with a passkey"},
	"login.no_account":             {"Chưa có tài khoản?", "No account yet?"},
	"login.enrol":                  {"Đăng ký tài khoản mức 1", "Register a level-1 account"},
	"login.activate":               {"Kích hoạt tài khoản đã xác minh trực tiếp", "Activate an account verified in person"},
	"login.forgot":                 {"Quên mật khẩu hoặc mất điện thoại?", "Forgot your password or lost your phone?"},
	"login.relogin":                {"Dịch vụ yêu cầu bạn đăng nhập lại.", "The service asks you to log in again."},
	"step.title":                   {"Xác thực mức 2", "Level-2 verification"},
	"step.intro":                   {"Dịch vụ này cần tài khoản mức 2. Hãy dùng yếu tố xác thực thứ hai của bạn.", "This service needs level 2. Use your second factor."},
	"step.totp":                    {"Mã từ ứng dụng xác thực (6 chữ số)", "Code from your authenticator app (6 digits)"},
	"step.passkey":                 {"Dùng khóa truy cập (passkey)", "Use a passkey"},
	"step.none":                    {"Tài khoản chưa có yếu tố xác thực thứ hai. Hãy đăng nhập trang tài khoản để thiết lập.", "The account has no second factor yet. Set one up on your account page."},
	"consent.title":                {"Chia sẻ thông tin", "Share your information"},
	"consent.intro":                {"muốn nhận các thông tin sau từ Cơ sở dữ liệu quốc gia về dân cư:", "asks to receive this information from the national population registry:"},
	"consent.purpose":              {"Mục đích", "Purpose"},
	"consent.log":                  {"Mỗi lần thông tin được cung cấp đều được ghi lại và bạn có thể xem trong trang tài khoản. Bạn có thể rút lại sự đồng ý bất cứ lúc nào.", "Every release is logged and shown on your account page. You can withdraw your consent at any time."},
	"consent.allow":                {"Đồng ý", "Allow"},
	"consent.deny":                 {"Từ chối", "Deny"},
	"scope.profile":                {"Họ tên, ngày sinh, giới tính", "Name, date of birth, sex"},
	"scope.pid":                    {"Số định danh cá nhân", "Personal ID number"},
	"scope.address":                {"Nơi thường trú và nơi ở hiện tại", "Permanent and current residence"},
	"scope.phone":                  {"Số điện thoại đã xác thực", "Verified phone number"},
	"scope.email":                  {"Thư điện tử đã xác thực", "Verified e-mail"},
	"enrol.title":                  {"Đăng ký tài khoản định danh điện tử mức 1", "Register a level-1 e-ID account"},
	"enrol.intro":                  {"Thông tin phải khớp với Cơ sở dữ liệu quốc gia về dân cư, và số điện thoại phải là số đã đăng ký với bạn (chính chủ). Mã xác thực sẽ được gửi đến số điện thoại đó.", "Your details must match the national population registry, and the phone number must be one registered to you. A code will be sent to it."},
	"enrol.sent":                   {"Mã xác thực đã được gửi đến", "A code was sent to"},
	"enrol.done":                   {"Tài khoản đã được tạo. Hãy đăng nhập.", "Your account was created. Please log in."},
	"activate.title":               {"Kích hoạt tài khoản mức 2", "Activate your level-2 account"},
	"activate.intro":               {"Nhập mã kích hoạt cán bộ công an đã trao cho bạn và đặt mật khẩu. Sau đó hãy thiết lập yếu tố xác thực thứ hai.", "Enter the activation code the police officer gave you and choose a password. Then set up your second factor."},
	"activate.code":                {"Mã kích hoạt", "Activation code"},
	"activate.done":                {"Tài khoản đã được kích hoạt. Hãy đăng nhập và thiết lập yếu tố xác thực thứ hai.", "Your account is active. Log in and set up your second factor."},
	"recover.title":                {"Khôi phục tài khoản", "Recover your account"},
	"recover.intro":                {"Nhập số định danh và số điện thoại hoặc thư điện tử đã xác thực của tài khoản. Nếu khớp, mã xác thực sẽ được gửi đến đó. Sau khi khôi phục, tài khoản trở về mức 1 cho đến khi bạn được xác minh trực tiếp.", "Enter your ID number and the verified phone or e-mail of the account. If they match, a code is sent there. After recovery the account is level 1 until you are verified in person."},
	"recover.contact":              {"Số điện thoại hoặc thư điện tử", "Phone number or e-mail"},
	"recover.sent":                 {"Nếu thông tin khớp, mã xác thực đã được gửi.", "If the details match, a code was sent."},
	"recover.done":                 {"Tài khoản đã được khôi phục. Hãy đăng nhập.", "Your account was recovered. Please log in."},
	"account.title":                {"Tài khoản của tôi", "My account"},
	"account.level":                {"Mức độ tài khoản", "Account level"},
	"account.level.1":              {"Mức 1", "Level 1"},
	"account.level.2":              {"Mức 2", "Level 2"},
	"account.session_level":        {"Phiên này đạt mức", "This session reached level"},
	"account.contacts":             {"Liên hệ đã xác thực", "Verified contacts"},
	"account.sessions":             {"Thiết bị và phiên đăng nhập", "Devices and sessions"},
	"account.this":                 {"(phiên này)", "(this session)"},
	"account.end":                  {"Kết thúc", "End"},
	"account.ended":                {"đã kết thúc", "ended"},
	"account.factors":              {"Yếu tố xác thực thứ hai", "Second factors"},
	"account.no_factors":           {"Chưa có.", "None yet."},
	"account.remove":               {"Xóa", "Remove"},
	"account.add_totp":             {"Thêm ứng dụng xác thực (TOTP)", "Add an authenticator app (TOTP)"},
	"account.add_passkey":          {"Thêm khóa truy cập (passkey)", "Add a passkey"},
	"account.consents":             {"Dịch vụ được chia sẻ thông tin", "Services you share information with"},
	"account.no_consents":          {"Chưa có.", "None."},
	"account.revoke":               {"Rút lại", "Withdraw"},
	"account.notify":               {"Báo cho tôi mỗi lần đăng nhập vào một dịch vụ", "Tell me each time I log in to a service"},
	"account.save":                 {"Lưu", "Save"},
	"account.lock":                 {"Khóa tài khoản ngay (mất điện thoại, nghi bị lộ)", "Lock my account now (lost phone, suspected misuse)"},
	"account.lock.confirm":         {"Khóa tài khoản", "Lock the account"},
	"account.change_pw":            {"Đổi mật khẩu", "Change password"},
	"account.child":                {"Đăng ký tài khoản cho con dưới 14 tuổi", "Register an account for your child under 14"},
	"account.child.pid":            {"Số định danh của con", "Your child's ID number"},
	"account.logout":               {"Đăng xuất", "Log out"},
	"account.saved":                {"Đã lưu.", "Saved."},
	"account.need_2fa":             {"Tài khoản mức 2 cần có yếu tố xác thực thứ hai. Hãy thêm ứng dụng xác thực hoặc khóa truy cập.", "A level-2 account needs a second factor. Add an authenticator app or a passkey."},
	"account.history":              {"Lịch sử tài khoản", "Account history"},
	"totp.title":                   {"Thêm ứng dụng xác thực", "Add an authenticator app"},
	"totp.intro":                   {"Thêm tài khoản vào ứng dụng xác thực (Google Authenticator, Microsoft Authenticator, ...) bằng cách quét mã QR hoặc nhập khóa bí mật dưới đây, rồi nhập mã 6 chữ số ứng dụng hiển thị.", "Add the account to your authenticator app by scanning the QR code or typing the secret key below, then enter the 6-digit code it shows."},
	"totp.secret":                  {"Khóa bí mật", "Secret key"},
	"factor.totp":                  {"Ứng dụng xác thực", "Authenticator app"},
	"factor.passkey":               {"Khóa truy cập", "Passkey"},
	"history.created":              {"Tạo tài khoản", "Account created"},
	"history.registered_child":     {"Đăng ký tài khoản cho con", "Registered a child's account"},
	"history.taken_over_in_person": {"Xác minh trực tiếp tại cơ quan công an: mật khẩu, yếu tố xác thực và phiên cũ bị xóa, mã kích hoạt đã được cấp", "Verified in person at a police office: old password, second factors and sessions removed, activation code issued"},
	"history.activated":            {"Kích hoạt tài khoản", "Account activated"},
	"history.closed":               {"Đóng tài khoản", "Account closed"},
	"history.totp_added":           {"Thêm ứng dụng xác thực", "Authenticator app added"},
	"history.passkey_added":        {"Thêm khóa truy cập", "Passkey added"},
	"history.credential_removed":   {"Xóa một yếu tố xác thực", "Second factor removed"},
	"history.locked":               {"Khóa tài khoản", "Account locked"},
	"history.recovered":            {"Khôi phục tài khoản (mức 1 cho đến khi xác minh trực tiếp)", "Account recovered (level 1 until verified in person)"},
	"history.password_changed":     {"Đổi mật khẩu", "Password changed"},
	"access.title":                 {"Ai đã sử dụng thông tin của tôi", "Who used my information"},
	"access.none":                  {"Chưa có ai.", "No one yet."},
	"access.intro":                 {"Mỗi lần cơ quan, cán bộ hay dịch vụ đọc thông tin của bạn trong Cơ sở dữ liệu quốc gia về dân cư đều được ghi lại. Đây là những lần gần nhất.", "Every time an agency, an officer or a service reads your information in the national population registry, it is recorded. These are the latest."},
	"who.client":                   {"Dịch vụ liên kết", "A connected service"},
	"who.officer":                  {"Cán bộ đăng ký dân cư", "Registry officer"},
	"who.national":                 {"cấp trung ương", "national"},
	"who.system":                   {"Hệ thống định danh điện tử", "The e-ID system"},
	"who.operator":                 {"Quản trị hệ thống", "System administrator"},
	"who.citizen":                  {"Người giám hộ", "Guardian"},
	"field.record":                 {"toàn bộ hồ sơ", "the whole record"},
	"field.pid":                    {"số định danh cá nhân", "personal ID number"},
	"field.full_name":              {"họ và tên", "full name"},
	"field.name":                   {"họ và tên", "full name"},
	"field.family_name":            {"họ và tên", "full name"},
	"field.middle_name":            {"họ và tên", "full name"},
	"field.given_name":             {"họ và tên", "full name"},
	"field.other_names":            {"tên gọi khác", "other names"},
	"field.birth_date":             {"ngày sinh", "date of birth"},
	"field.birthdate":              {"ngày sinh", "date of birth"},
	"field.sex":                    {"giới tính", "sex"},
	"field.gender":                 {"giới tính", "sex"},
	"field.status":                 {"tình trạng (còn sống, đã mất)", "status (alive, dead)"},
	"field.phones":                 {"số điện thoại", "phone numbers"},
	"field.phone_number":           {"số điện thoại", "phone number"},
	"field.phone_number_verified":  {"số điện thoại", "phone number"},
	"field.email":                  {"thư điện tử", "e-mail"},
	"field.email_verified":         {"thư điện tử", "e-mail"},
	"field.address":                {"nơi thường trú", "permanent residence"},
	"field.permanent_residence":    {"nơi thường trú", "permanent residence"},
	"field.current_address":        {"nơi ở hiện tại", "current residence"},
	"field.current_residence":      {"nơi ở hiện tại", "current residence"},
	"field.temporary_residence":    {"nơi tạm trú", "temporary residence"},
	"field.eid_account":            {"tài khoản định danh điện tử", "e-ID account"},
	"field.legacy_ids":             {"số chứng minh nhân dân cũ", "former ID card numbers"},
	"field.death_date":             {"ngày mất", "date of death"},
	"field.permanent_address":      {"nơi thường trú", "permanent residence"},
	"field.nationality":            {"quốc tịch", "nationality"},
	"field.ethnicity":              {"dân tộc", "ethnic group"},
	"field.religion":               {"tôn giáo", "religion"},
	"field.home_town":              {"quê quán", "home town"},
	"field.alive":                  {"tình trạng (còn sống, đã mất)", "status (alive, dead)"},
	"field.export":                 {"toàn bộ hồ sơ (xuất dữ liệu)", "the whole record (an export)"},
	"verb.read":                    {"đã xem", "viewed"},
	"verb.verify":                  {"đã xác minh", "verified"},
	"verb.refused":                 {"đã yêu cầu nhưng bị từ chối vì chưa có sự đồng ý của bạn, không nhận được", "asked for, and was refused for want of your consent,"},
	"verb.search":                  {"đã thấy trong kết quả tra cứu", "saw in search results"},
	"verb.write":                   {"đã cập nhật rồi xem", "updated and viewed"},
	"access.your":                  {"của bạn", "of yours:"},
	"access.purpose":               {"mục đích", "purpose"},
	"sharing.title":                {"Đồng ý chia sẻ dữ liệu", "Consent to data sharing"},
	"sharing.intro":                {"Những tổ chức này chỉ được dùng thông tin của bạn cho mục đích nêu dưới đây khi bạn đồng ý. Bạn có thể rút lại bất cứ lúc nào.", "These organisations may use your data for the purpose shown only with your consent. You can withdraw it at any time."},
	"sharing.basis":                {"căn cứ", "legal basis"},
	"sharing.fields":               {"thông tin", "data"},
	"sharing.given":                {"Đã đồng ý từ", "Consented since"},
	"sharing.give":                 {"Đồng ý", "Give consent"},
	"sharing.withdraw":             {"Rút lại", "Withdraw"},
	"totp.open":                    {"Mở bằng ứng dụng xác thực trên máy này", "Open in an authenticator app on this device"},
	"totp.qr":                      {"Mã QR để quét bằng ứng dụng xác thực", "QR code to scan with your authenticator app"},
	"totp.name":                    {"Tên thiết bị", "Device name"},
	"error.title":                  {"Không thực hiện được", "Something went wrong"},
	"error.back":                   {"Quay lại", "Back"},
	"passkey.unsupported":          {"Trình duyệt này không hỗ trợ khóa truy cập.", "This browser does not support passkeys."},
	"passkey.failed":               {"Không dùng được khóa truy cập", "The passkey did not work"},
	"logout.done":                  {"Bạn đã đăng xuất.", "You are logged out."},
	"nojs":                         {"Khóa truy cập cần JavaScript; các chức năng khác dùng được không cần JavaScript.", "Passkeys need JavaScript; everything else works without it."},
}
