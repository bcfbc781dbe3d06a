package seed

import "dancu/internal/registry"

// Names. Weights are relative frequencies compiled from public sources on
// Vietnamese names (the commonly cited surname shares, with Nguyễn around
// 38% among the Kinh; published lists of popular given names by decade).
// They are approximations meant to give a realistic mix, not statistics
// to be quoted. Every name is in NFC with the traditional tone placement
// that vntext.Canonical produces ("Hòa", "Thủy", "Quý"); a test checks it.

// era is a birth cohort: given names and middle names went in and out of
// fashion (Văn and Thị dominate older generations, two-syllable modern
// names like Gia Bảo or Minh Khang the youngest).
type era uint8

const (
	eraOld    era = iota // born before 1955
	eraMid               // 1955–1979
	eraLate              // 1980–1999
	eraRecent            // 2000 and later
	eras
)

func eraOf(year int) era {
	switch {
	case year < 1955:
		return eraOld
	case year < 1980:
		return eraMid
	case year < 2000:
		return eraLate
	}
	return eraRecent
}

// wname is a name with a weight per era.
type wname struct {
	s string
	w [eras]uint16
}

// eraTables draws from a list with the weights of one era.
type eraTables struct {
	names []string
	t     [eras]table
}

func newEraTables(ns []wname) *eraTables {
	et := &eraTables{}
	for _, n := range ns {
		et.names = append(et.names, n.s)
	}
	for e := range eras {
		ws := make([]uint32, len(ns))
		for i, n := range ns {
			ws[i] = uint32(n.w[e])
		}
		et.t[e] = newTable(ws)
	}
	return et
}

func (et *eraTables) pick(r *rng, e era) string { return et.names[et.t[e].pick(r)] }

// plain is a name list with one weight.
type plain struct {
	names []string
	t     table
}

type pw struct {
	s string
	w uint32
}

func newPlain(ns []pw) *plain {
	p := &plain{}
	ws := make([]uint32, len(ns))
	for i, n := range ns {
		p.names = append(p.names, n.s)
		ws[i] = n.w
	}
	p.t = newTable(ws)
	return p
}

func (p *plain) pick(r *rng) string { return p.names[p.t.pick(r)] }

// kinhSurnames are the Kinh surnames, per 10,000 Kinh. "Hoàng" and "Vũ"
// stand for Hoàng/Huỳnh and Vũ/Võ, split by region in surname(): the
// southern spellings come from a 17th-century naming taboo in the Nguyễn
// lords' realm and still follow the line of their domain.
var kinhSurnames = []pw{
	{"Nguyễn", 3850}, {"Trần", 1150}, {"Lê", 1000}, {"Phạm", 730}, {"Hoàng", 540},
	{"Phan", 470}, {"Vũ", 410}, {"Đặng", 220}, {"Bùi", 210}, {"Đỗ", 150},
	{"Hồ", 140}, {"Ngô", 135}, {"Dương", 105}, {"Lý", 50},
	// The long tail.
	{"Đào", 90}, {"Đoàn", 90}, {"Đinh", 80}, {"Lâm", 60}, {"Mai", 60},
	{"Trịnh", 70}, {"Trương", 80}, {"Hà", 60}, {"Cao", 50}, {"Lưu", 40},
	{"Tạ", 35}, {"Tô", 30}, {"Châu", 35}, {"Thái", 30}, {"Quách", 20},
	{"Tăng", 15}, {"Lương", 50}, {"Kiều", 20}, {"Vương", 20}, {"La", 15},
	{"Phùng", 30}, {"Khổng", 10}, {"Từ", 15}, {"Chu", 25}, {"Văn", 20},
	{"Doãn", 15}, {"Hứa", 15}, {"Lại", 20}, {"Mạc", 10}, {"Kim", 10},
	{"Triệu", 20}, {"Thân", 15}, {"Âu", 10}, {"Giáp", 10}, {"Nghiêm", 15},
	{"Tôn", 10}, {"Khúc", 10}, {"Ông", 8}, {"Lạc", 5}, {"Ninh", 8},
}

// surnameGroup selects the surname list of an ethnic group that uses the
// Kinh name order (surname, middle name, given name).
type surnameGroup uint8

const (
	sgKinh surnameGroup = iota
	sgHoa
	sgTayNung
	sgThai
	sgMuong
	sgCham
	sgKatu
	sgMong
	sgDao
	sgKhmer
	sgHighlandKinh // the Bahnar and Sedang who use Đinh Văn … names
	sgEde
	sgJarai
	sgKho
	surnameGroups
)

var groupSurnames = [surnameGroups][]pw{
	sgKinh: kinhSurnames,
	sgHoa: {{"Lý", 14}, {"Trần", 12}, {"Lâm", 12}, {"Quách", 6}, {"Lưu", 8}, {"Hứa", 6}, {"Mạc", 3},
		{"Tăng", 6}, {"Trương", 8}, {"Huỳnh", 6}, {"Lương", 5}, {"Vương", 5}, {"Diệp", 4}, {"Phùng", 3},
		{"Tạ", 3}, {"Thái", 3}, {"Từ", 3}, {"Ông", 2}, {"Hà", 3}, {"Châu", 4}, {"Nguyễn", 6}},
	sgTayNung: {{"Nông", 18}, {"Hoàng", 20}, {"Lương", 8}, {"Ma", 6}, {"Hà", 6}, {"Đàm", 5}, {"Lục", 4},
		{"Lăng", 4}, {"Chu", 3}, {"Triệu", 5}, {"Vi", 4}, {"Lý", 4}, {"Bế", 5}, {"Hứa", 2}, {"Mông", 2},
		{"Lộc", 3}, {"Sầm", 2}, {"Tô", 2}, {"Nguyễn", 8}, {"La", 3}, {"Đinh", 2}, {"Ngôn", 2}},
	sgThai: {{"Lò", 20}, {"Lường", 10}, {"Quàng", 10}, {"Cầm", 10}, {"Vi", 8}, {"Hà", 10}, {"Lù", 4},
		{"Điêu", 4}, {"Tòng", 5}, {"Lừ", 3}, {"Mè", 2}, {"Bạc", 3}, {"Lộc", 3}, {"Lang", 5}, {"Vì", 4},
		{"Sầm", 3}, {"Lữ", 3}, {"Kha", 2}, {"Nguyễn", 4}},
	sgMuong: {{"Bùi", 35}, {"Đinh", 20}, {"Quách", 10}, {"Hà", 10}, {"Xa", 5}, {"Cao", 4}, {"Lê", 4},
		{"Nguyễn", 5}, {"Trương", 3}, {"Hoàng", 2}, {"Phạm", 2}},
	sgCham: {{"Đàng", 20}, {"Lưu", 10}, {"Châu", 8}, {"Quảng", 8}, {"Bá", 6}, {"Thông", 5}, {"Trượng", 5},
		{"Mã", 5}, {"Hán", 5}, {"Nguyễn", 10}, {"Thành", 4}, {"Dương", 4}, {"Phú", 3}, {"Từ", 3}},
	sgKatu: {{"Hồ", 25}, {"Alăng", 8}, {"Bhling", 6}, {"Ating", 5}, {"Clâu", 5}, {"Briu", 4}, {"Pơloong", 4},
		{"Zơ Râm", 4}, {"Kray", 5}, {"Căn", 4}, {"Đinh", 15}, {"Phạm", 6}, {"Lê", 4}, {"Nguyễn", 5}},
	sgMong: {{"Giàng", 18}, {"Sùng", 15}, {"Vàng", 15}, {"Thào", 14}, {"Lý", 10}, {"Hầu", 6}, {"Lầu", 5},
		{"Mùa", 5}, {"Vừ", 5}, {"Tráng", 4}, {"Hạng", 4}, {"Ly", 3}, {"Cứ", 2}, {"Chang", 2}},
	sgDao: {{"Bàn", 20}, {"Triệu", 25}, {"Đặng", 18}, {"Lý", 12}, {"Chảo", 6}, {"Tẩn", 5}, {"Phùng", 5},
		{"Chìu", 3}, {"Lò", 2}, {"Hoàng", 3}, {"Trịnh", 2}},
	sgKhmer: {{"Thạch", 30}, {"Sơn", 20}, {"Danh", 20}, {"Kim", 10}, {"Lâm", 8}, {"Lý", 5}, {"Châu", 5},
		{"Trần", 5}, {"Huỳnh", 3}, {"Dương", 3}, {"Triệu", 3}, {"Ngô", 2}},
	sgHighlandKinh: {{"Đinh", 60}, {"Hồ", 10}, {"Phạm", 8}, {"Nguyễn", 8}, {"Y", 4}, {"A", 4}},
	sgEde: {{"Niê", 25}, {"Mlô", 12}, {"Êban", 10}, {"Byă", 8}, {"Ktla", 6}, {"Adrơng", 6}, {"Ayun", 6},
		{"Buôn Yă", 5}, {"Hmok", 4}, {"Knul", 5}, {"Kpơr", 4}, {"Niê Kdăm", 4}, {"Bkrông", 3}, {"Êya", 3},
		{"Mdrang", 3}, {"Kbuôr", 2}},
	sgJarai: {{"Ksor", 25}, {"Rơ Châm", 15}, {"Siu", 15}, {"Rah Lan", 10}, {"Nay", 10}, {"Kpă", 10},
		{"Rơ Mah", 10}, {"Puih", 6}, {"Rơ Ô", 5}, {"Rmah", 5}},
	sgKho: {{"Kơ Să", 10}, {"Liêng Hót", 8}, {"Bon Niêng", 6}, {"Cil", 6}, {"Rơ Ông", 5}, {"Đa Cát", 5},
		{"Krajan", 5}, {"Bon Đing", 4}, {"Lơ Mu", 4}, {"Ndu", 3}},
}

// Kinh middle names (chữ lót) by era. Văn and Thị were near-universal for
// people born before 1955 and are rare for children born since 2000.
var maleMiddles = []wname{
	{"Văn", [4]uint16{750, 550, 300, 80}}, {"Đức", [4]uint16{40, 70, 90, 80}},
	{"Hữu", [4]uint16{60, 70, 60, 40}}, {"Minh", [4]uint16{20, 50, 100, 150}},
	{"Quốc", [4]uint16{20, 40, 60, 60}}, {"Thanh", [4]uint16{30, 50, 50, 30}},
	{"Công", [4]uint16{30, 40, 40, 30}}, {"Xuân", [4]uint16{30, 30, 25, 10}},
	{"Ngọc", [4]uint16{30, 30, 30, 20}}, {"Quang", [4]uint16{20, 30, 40, 40}},
	{"Trọng", [4]uint16{15, 20, 25, 20}}, {"Duy", [4]uint16{5, 10, 30, 50}},
	{"Hoàng", [4]uint16{5, 15, 40, 60}}, {"Anh", [4]uint16{5, 10, 30, 40}},
	{"Gia", [4]uint16{1, 3, 10, 80}}, {"Bảo", [4]uint16{1, 3, 15, 70}},
	{"Đình", [4]uint16{40, 40, 30, 15}}, {"Tiến", [4]uint16{10, 15, 15, 10}},
	{"Mạnh", [4]uint16{10, 15, 20, 15}}, {"Thế", [4]uint16{25, 25, 20, 10}},
	{"Viết", [4]uint16{20, 20, 15, 5}}, {"Bá", [4]uint16{30, 20, 10, 5}},
	{"Khắc", [4]uint16{20, 15, 10, 5}}, {"Trung", [4]uint16{10, 15, 20, 15}},
	{"Hải", [4]uint16{5, 10, 20, 25}}, {"Nhật", [4]uint16{2, 5, 15, 40}},
	{"Thành", [4]uint16{10, 15, 20, 20}}, {"Phúc", [4]uint16{5, 5, 10, 30}},
	{"Đăng", [4]uint16{5, 10, 20, 50}}, {"Tấn", [4]uint16{30, 30, 20, 10}},
	{"Chí", [4]uint16{15, 15, 15, 15}}, {"Huy", [4]uint16{5, 5, 15, 30}},
	{"Trí", [4]uint16{3, 5, 10, 20}}, {"Khánh", [4]uint16{3, 5, 10, 25}},
	{"Hồng", [4]uint16{20, 15, 5, 2}}, {"Kim", [4]uint16{10, 8, 5, 3}},
	{"Tuấn", [4]uint16{3, 5, 10, 15}},
}

var femaleMiddles = []wname{
	{"Thị", [4]uint16{850, 650, 400, 120}}, {"Ngọc", [4]uint16{20, 40, 70, 90}},
	{"Thu", [4]uint16{10, 30, 40, 20}}, {"Thanh", [4]uint16{20, 40, 50, 30}},
	{"Kim", [4]uint16{30, 40, 40, 20}}, {"Phương", [4]uint16{3, 10, 30, 50}},
	{"Bảo", [4]uint16{1, 3, 15, 80}}, {"Minh", [4]uint16{3, 10, 30, 80}},
	{"Thùy", [4]uint16{2, 10, 30, 40}}, {"Hồng", [4]uint16{10, 20, 25, 10}},
	{"Mai", [4]uint16{5, 10, 20, 20}}, {"Hoài", [4]uint16{3, 8, 15, 20}},
	{"Khánh", [4]uint16{1, 3, 15, 60}}, {"Diệu", [4]uint16{2, 5, 10, 20}},
	{"Quỳnh", [4]uint16{1, 3, 15, 30}}, {"Thảo", [4]uint16{1, 3, 10, 25}},
	{"Cẩm", [4]uint16{10, 15, 15, 10}}, {"Tuyết", [4]uint16{10, 10, 8, 3}},
	{"Bích", [4]uint16{10, 15, 15, 5}}, {"Hải", [4]uint16{2, 5, 15, 20}},
	{"Mỹ", [4]uint16{10, 15, 20, 15}}, {"Hoàng", [4]uint16{2, 5, 15, 25}},
	{"Yến", [4]uint16{2, 5, 10, 15}}, {"Thúy", [4]uint16{5, 10, 15, 10}},
	{"Gia", [4]uint16{0, 1, 5, 40}}, {"Ánh", [4]uint16{2, 5, 10, 20}},
	{"Tường", [4]uint16{1, 3, 10, 20}}, {"Như", [4]uint16{2, 5, 10, 25}},
	{"Vân", [4]uint16{3, 5, 10, 10}}, {"Lan", [4]uint16{3, 5, 10, 15}},
	{"Hà", [4]uint16{2, 5, 10, 20}}, {"Xuân", [4]uint16{15, 15, 10, 5}},
	{"Diễm", [4]uint16{2, 5, 10, 5}}, {"Lệ", [4]uint16{5, 10, 10, 3}},
	{"Uyên", [4]uint16{0, 1, 5, 20}}, {"An", [4]uint16{1, 2, 5, 25}},
}

// maleGiven and femaleGiven are Kinh given names (tên) with their
// popularity per era: [before 1955, 1955–79, 1980–99, since 2000].
var maleGiven = []wname{
	{"Anh", [4]uint16{20, 30, 60, 60}}, {"An", [4]uint16{10, 10, 20, 40}}, {"Bảo", [4]uint16{5, 8, 20, 50}},
	{"Bình", [4]uint16{40, 35, 20, 10}}, {"Ba", [4]uint16{20, 5, 1, 0}}, {"Bảy", [4]uint16{15, 4, 1, 0}},
	{"Bách", [4]uint16{1, 2, 5, 15}}, {"Cường", [4]uint16{10, 40, 40, 15}}, {"Chiến", [4]uint16{15, 40, 25, 5}},
	{"Chính", [4]uint16{20, 20, 10, 3}}, {"Công", [4]uint16{10, 15, 15, 5}}, {"Dũng", [4]uint16{15, 50, 50, 15}},
	{"Duy", [4]uint16{2, 10, 30, 40}}, {"Dương", [4]uint16{5, 10, 20, 25}}, {"Đạt", [4]uint16{3, 15, 45, 40}},
	{"Đức", [4]uint16{30, 40, 35, 25}}, {"Định", [4]uint16{25, 20, 8, 3}}, {"Đông", [4]uint16{15, 15, 10, 5}},
	{"Đăng", [4]uint16{2, 5, 15, 30}}, {"Giang", [4]uint16{10, 15, 15, 8}}, {"Hải", [4]uint16{15, 40, 50, 30}},
	{"Hào", [4]uint16{5, 10, 15, 10}}, {"Hiếu", [4]uint16{10, 25, 40, 25}}, {"Hiển", [4]uint16{10, 15, 15, 20}},
	{"Hiệp", [4]uint16{10, 25, 20, 5}}, {"Hoàng", [4]uint16{5, 15, 40, 40}}, {"Hòa", [4]uint16{30, 30, 20, 10}},
	{"Huy", [4]uint16{5, 15, 50, 60}}, {"Hùng", [4]uint16{30, 60, 45, 15}}, {"Hưng", [4]uint16{20, 35, 35, 35}},
	{"Hậu", [4]uint16{10, 20, 20, 10}}, {"Hoan", [4]uint16{15, 10, 3, 1}}, {"Hợi", [4]uint16{15, 3, 1, 0}},
	{"Khang", [4]uint16{1, 2, 10, 60}}, {"Khánh", [4]uint16{5, 15, 35, 40}}, {"Khoa", [4]uint16{2, 8, 25, 45}},
	{"Khôi", [4]uint16{1, 2, 10, 50}}, {"Kiên", [4]uint16{10, 25, 30, 20}}, {"Kiệt", [4]uint16{1, 2, 8, 35}},
	{"Lâm", [4]uint16{10, 15, 25, 40}}, {"Linh", [4]uint16{10, 15, 20, 15}}, {"Long", [4]uint16{15, 30, 45, 35}},
	{"Lộc", [4]uint16{15, 20, 20, 25}}, {"Lợi", [4]uint16{20, 25, 15, 5}}, {"Lực", [4]uint16{15, 15, 8, 3}},
	{"Luân", [4]uint16{5, 10, 15, 20}}, {"Minh", [4]uint16{30, 40, 60, 80}}, {"Mạnh", [4]uint16{10, 30, 35, 15}},
	{"Nam", [4]uint16{20, 30, 50, 50}}, {"Nghĩa", [4]uint16{25, 30, 25, 15}}, {"Nhân", [4]uint16{10, 15, 25, 30}},
	{"Nhật", [4]uint16{2, 5, 20, 35}}, {"Ninh", [4]uint16{15, 15, 8, 3}}, {"Phát", [4]uint16{5, 10, 25, 45}},
	{"Phong", [4]uint16{15, 20, 30, 40}}, {"Phú", [4]uint16{20, 20, 15, 20}}, {"Phúc", [4]uint16{10, 15, 25, 60}},
	{"Phước", [4]uint16{15, 20, 20, 20}}, {"Phương", [4]uint16{20, 15, 10, 5}}, {"Quang", [4]uint16{20, 30, 30, 25}},
	{"Quân", [4]uint16{5, 10, 35, 60}}, {"Quốc", [4]uint16{10, 20, 20, 15}}, {"Quý", [4]uint16{20, 25, 15, 10}},
	{"Quyết", [4]uint16{20, 20, 10, 5}}, {"Sơn", [4]uint16{20, 50, 50, 25}}, {"Sang", [4]uint16{5, 15, 20, 20}},
	{"Sáu", [4]uint16{15, 5, 1, 0}}, {"Tài", [4]uint16{15, 20, 25, 30}}, {"Tâm", [4]uint16{25, 25, 20, 15}},
	{"Tân", [4]uint16{20, 25, 15, 10}}, {"Thắng", [4]uint16{20, 50, 35, 15}}, {"Thành", [4]uint16{40, 50, 45, 30}},
	{"Thái", [4]uint16{15, 15, 15, 15}}, {"Thanh", [4]uint16{30, 35, 20, 10}}, {"Thiện", [4]uint16{10, 15, 20, 35}},
	{"Thịnh", [4]uint16{10, 20, 25, 35}}, {"Thông", [4]uint16{15, 20, 15, 5}}, {"Thuận", [4]uint16{20, 25, 15, 10}},
	{"Toàn", [4]uint16{10, 25, 35, 25}}, {"Tiến", [4]uint16{20, 40, 35, 20}}, {"Trung", [4]uint16{25, 40, 40, 25}},
	{"Trọng", [4]uint16{15, 20, 20, 15}}, {"Trường", [4]uint16{15, 25, 30, 25}}, {"Tú", [4]uint16{10, 20, 25, 20}},
	{"Tuấn", [4]uint16{5, 40, 70, 40}}, {"Tùng", [4]uint16{10, 25, 40, 25}}, {"Tín", [4]uint16{10, 10, 15, 30}},
	{"Vinh", [4]uint16{20, 30, 30, 25}}, {"Việt", [4]uint16{10, 20, 30, 30}}, {"Vũ", [4]uint16{5, 15, 30, 40}},
	{"Xuân", [4]uint16{30, 20, 8, 3}}, {"Tư", [4]uint16{20, 5, 1, 0}}, {"Năm", [4]uint16{20, 5, 1, 0}},
	{"Tý", [4]uint16{15, 3, 0, 0}}, {"Sửu", [4]uint16{10, 2, 0, 0}}, {"Dần", [4]uint16{10, 2, 0, 0}},
	{"Cần", [4]uint16{15, 10, 3, 1}}, {"Cương", [4]uint16{15, 15, 10, 3}}, {"Huấn", [4]uint16{10, 15, 10, 3}},
	{"Khiêm", [4]uint16{10, 10, 8, 5}}, {"Lương", [4]uint16{15, 10, 5, 2}}, {"Nhượng", [4]uint16{10, 5, 1, 0}},
	{"Sỹ", [4]uint16{15, 15, 10, 5}}, {"Tiệp", [4]uint16{5, 10, 10, 5}}, {"Thao", [4]uint16{10, 10, 5, 2}},
	{"Thống", [4]uint16{15, 15, 8, 3}}, {"Trí", [4]uint16{10, 15, 25, 40}}, {"Trực", [4]uint16{10, 10, 5, 3}},
	{"Tuyên", [4]uint16{15, 15, 8, 3}}, {"Tường", [4]uint16{10, 10, 10, 10}}, {"Vĩnh", [4]uint16{10, 10, 10, 10}},
	{"Vượng", [4]uint16{15, 20, 15, 8}}, {"Yên", [4]uint16{10, 5, 2, 1}}, {"Hòe", [4]uint16{10, 3, 1, 0}},
	{"Lãm", [4]uint16{8, 3, 1, 0}}, {"Khải", [4]uint16{5, 8, 15, 30}}, {"Nguyên", [4]uint16{10, 10, 20, 40}},
	{"Thiên", [4]uint16{2, 5, 15, 35}}, {"Hoàn", [4]uint16{10, 15, 10, 5}}, {"Châu", [4]uint16{5, 5, 10, 15}},
	{"Danh", [4]uint16{10, 15, 15, 10}}, {"Điệp", [4]uint16{5, 10, 10, 3}}, {"Đoàn", [4]uint16{10, 5, 2, 1}},
	{"Hà", [4]uint16{10, 10, 8, 5}}, {"Kha", [4]uint16{1, 2, 5, 15}}, {"Khoái", [4]uint16{5, 3, 1, 0}},
	{"Lập", [4]uint16{10, 15, 10, 5}}, {"Mẫn", [4]uint16{5, 5, 5, 5}}, {"Nhất", [4]uint16{10, 15, 10, 5}},
	{"Phi", [4]uint16{5, 8, 10, 10}}, {"Quảng", [4]uint16{10, 5, 2, 1}}, {"Sáng", [4]uint16{10, 10, 8, 3}},
	{"Sinh", [4]uint16{15, 15, 8, 3}}, {"Tạo", [4]uint16{10, 8, 5, 2}}, {"Thạch", [4]uint16{10, 10, 8, 5}},
	{"Thọ", [4]uint16{20, 15, 8, 3}}, {"Triều", [4]uint16{5, 10, 15, 10}}, {"Tuân", [4]uint16{10, 15, 15, 8}},
	{"Uy", [4]uint16{3, 5, 8, 10}}, {"Vỹ", [4]uint16{3, 5, 10, 15}}, {"Vương", [4]uint16{5, 8, 10, 15}},
	{"Bắc", [4]uint16{10, 10, 5, 2}}, {"Đô", [4]uint16{3, 5, 8, 10}}, {"Giáp", [4]uint16{10, 8, 3, 1}},
	{"Hảo", [4]uint16{10, 10, 5, 2}}, {"Khương", [4]uint16{5, 8, 10, 10}}, {"Lĩnh", [4]uint16{10, 10, 5, 2}},
	{"Tấn", [4]uint16{10, 15, 15, 10}}, {"Thuần", [4]uint16{10, 8, 3, 1}}, {"Ước", [4]uint16{8, 5, 1, 0}},
	{"Hiền", [4]uint16{10, 8, 5, 2}}, {"Hạnh", [4]uint16{10, 8, 3, 1}}, {"Kỳ", [4]uint16{5, 8, 10, 10}},
}

var femaleGiven = []wname{
	{"An", [4]uint16{5, 5, 15, 45}}, {"Anh", [4]uint16{10, 20, 50, 70}}, {"Ánh", [4]uint16{10, 20, 25, 20}},
	{"Bích", [4]uint16{20, 25, 15, 5}}, {"Bình", [4]uint16{15, 10, 5, 2}}, {"Bông", [4]uint16{10, 3, 1, 0}},
	{"Cúc", [4]uint16{25, 15, 3, 1}}, {"Châu", [4]uint16{5, 8, 20, 40}}, {"Chi", [4]uint16{5, 10, 25, 50}},
	{"Diễm", [4]uint16{3, 10, 20, 10}}, {"Diệp", [4]uint16{3, 5, 10, 20}}, {"Dung", [4]uint16{15, 35, 30, 10}},
	{"Duyên", [4]uint16{10, 20, 30, 20}}, {"Đào", [4]uint16{20, 15, 5, 1}}, {"Giang", [4]uint16{10, 20, 30, 25}},
	{"Gấm", [4]uint16{15, 10, 3, 0}}, {"Hà", [4]uint16{25, 40, 40, 25}}, {"Hải", [4]uint16{10, 15, 15, 10}},
	{"Hạnh", [4]uint16{25, 40, 30, 10}}, {"Hằng", [4]uint16{10, 35, 45, 20}}, {"Hân", [4]uint16{1, 2, 10, 50}},
	{"Hiền", [4]uint16{15, 30, 30, 25}}, {"Hoa", [4]uint16{40, 40, 25, 8}}, {"Hoài", [4]uint16{10, 15, 20, 10}},
	{"Hồng", [4]uint16{40, 40, 25, 8}}, {"Huệ", [4]uint16{30, 25, 10, 3}}, {"Hương", [4]uint16{30, 50, 45, 20}},
	{"Hường", [4]uint16{20, 25, 15, 3}}, {"Huyền", [4]uint16{10, 25, 45, 30}}, {"Khánh", [4]uint16{3, 5, 15, 30}},
	{"Khuê", [4]uint16{2, 3, 10, 25}}, {"Lan", [4]uint16{50, 40, 30, 15}}, {"Liên", [4]uint16{35, 30, 15, 5}},
	{"Liễu", [4]uint16{20, 15, 5, 1}}, {"Linh", [4]uint16{5, 15, 50, 70}}, {"Loan", [4]uint16{20, 30, 25, 8}},
	{"Lụa", [4]uint16{20, 10, 3, 0}}, {"Lý", [4]uint16{10, 15, 15, 10}}, {"Mai", [4]uint16{35, 40, 35, 25}},
	{"Mận", [4]uint16{15, 5, 1, 0}}, {"Minh", [4]uint16{10, 15, 20, 25}}, {"My", [4]uint16{2, 5, 20, 50}},
	{"Mỹ", [4]uint16{10, 15, 20, 15}}, {"Nga", [4]uint16{25, 40, 30, 10}}, {"Ngân", [4]uint16{5, 10, 30, 45}},
	{"Ngọc", [4]uint16{10, 20, 30, 35}}, {"Nguyệt", [4]uint16{20, 25, 20, 10}}, {"Nhàn", [4]uint16{25, 25, 15, 5}},
	{"Nhi", [4]uint16{1, 3, 15, 50}}, {"Nhung", [4]uint16{15, 30, 30, 15}}, {"Như", [4]uint16{3, 8, 20, 40}},
	{"Oanh", [4]uint16{15, 25, 20, 10}}, {"Phương", [4]uint16{10, 25, 45, 40}}, {"Phượng", [4]uint16{20, 25, 15, 5}},
	{"Quyên", [4]uint16{5, 10, 20, 25}}, {"Quỳnh", [4]uint16{5, 15, 30, 40}}, {"Sen", [4]uint16{20, 10, 3, 1}},
	{"Sương", [4]uint16{10, 20, 15, 5}}, {"Tâm", [4]uint16{20, 20, 20, 20}}, {"Thanh", [4]uint16{30, 30, 20, 10}},
	{"Thảo", [4]uint16{5, 20, 50, 50}}, {"Thắm", [4]uint16{15, 20, 10, 3}}, {"Thơ", [4]uint16{10, 15, 15, 15}},
	{"Thu", [4]uint16{20, 35, 25, 10}}, {"Thủy", [4]uint16{25, 45, 40, 15}}, {"Thúy", [4]uint16{20, 35, 30, 10}},
	{"Thư", [4]uint16{2, 5, 20, 50}}, {"Thương", [4]uint16{10, 20, 30, 20}}, {"Trang", [4]uint16{5, 25, 60, 50}},
	{"Trâm", [4]uint16{2, 5, 15, 35}}, {"Trinh", [4]uint16{10, 15, 20, 15}}, {"Tuyết", [4]uint16{25, 30, 15, 5}},
	{"Uyên", [4]uint16{2, 5, 20, 40}}, {"Vân", [4]uint16{35, 40, 30, 15}}, {"Vi", [4]uint16{2, 5, 15, 35}},
	{"Xuân", [4]uint16{30, 25, 15, 5}}, {"Yến", [4]uint16{15, 30, 35, 25}}, {"Ý", [4]uint16{1, 2, 5, 20}},
	{"Hiên", [4]uint16{10, 8, 3, 1}}, {"Lài", [4]uint16{15, 8, 2, 0}}, {"Mơ", [4]uint16{15, 8, 2, 0}},
	{"Nụ", [4]uint16{15, 5, 1, 0}}, {"Tươi", [4]uint16{15, 10, 3, 0}}, {"Tám", [4]uint16{15, 5, 1, 0}},
	{"Gái", [4]uint16{15, 3, 0, 0}}, {"Bưởi", [4]uint16{10, 2, 0, 0}}, {"Vy", [4]uint16{1, 2, 10, 60}},
	{"Ly", [4]uint16{2, 5, 15, 35}}, {"Thy", [4]uint16{1, 2, 8, 30}}, {"Trúc", [4]uint16{2, 5, 15, 30}},
	{"Tú", [4]uint16{5, 10, 15, 15}}, {"Lam", [4]uint16{1, 2, 5, 20}}, {"Hậu", [4]uint16{15, 15, 10, 3}},
	{"Hòa", [4]uint16{25, 20, 10, 5}}, {"Hợi", [4]uint16{10, 3, 0, 0}}, {"Lành", [4]uint16{15, 10, 3, 0}},
	{"Lệ", [4]uint16{15, 20, 15, 5}}, {"Lương", [4]uint16{15, 10, 3, 1}}, {"Miên", [4]uint16{5, 5, 5, 5}},
	{"Na", [4]uint16{2, 3, 8, 20}}, {"Ngà", [4]uint16{10, 10, 8, 3}}, {"Nguyên", [4]uint16{3, 5, 10, 20}},
	{"Nhạn", [4]uint16{10, 8, 3, 1}}, {"Nhiên", [4]uint16{2, 3, 8, 25}}, {"Nhớ", [4]uint16{10, 5, 1, 0}},
	{"Nương", [4]uint16{15, 8, 2, 0}}, {"Phấn", [4]uint16{10, 5, 1, 0}}, {"Quế", [4]uint16{15, 10, 5, 2}},
	{"Quý", [4]uint16{15, 10, 5, 3}}, {"Sâm", [4]uint16{5, 3, 1, 0}}, {"Son", [4]uint16{10, 5, 1, 0}},
	{"Sinh", [4]uint16{10, 8, 3, 1}}, {"Thêu", [4]uint16{10, 5, 1, 0}}, {"Thoa", [4]uint16{20, 20, 10, 3}},
	{"Thuận", [4]uint16{10, 10, 5, 2}}, {"Thục", [4]uint16{10, 10, 8, 5}}, {"Thùy", [4]uint16{10, 20, 30, 20}},
	{"Tiên", [4]uint16{5, 10, 20, 35}}, {"Tình", [4]uint16{15, 15, 8, 2}}, {"Trà", [4]uint16{5, 10, 15, 25}},
	{"Trân", [4]uint16{2, 5, 10, 20}}, {"Tuyền", [4]uint16{5, 10, 15, 10}}, {"Xoan", [4]uint16{10, 8, 3, 1}},
	{"Yên", [4]uint16{10, 8, 5, 3}}, {"Hảo", [4]uint16{15, 10, 5, 2}}, {"Diệu", [4]uint16{5, 8, 10, 15}},
	{"Giao", [4]uint16{5, 8, 10, 10}}, {"Hạ", [4]uint16{3, 5, 10, 20}}, {"Hoàn", [4]uint16{10, 8, 3, 1}},
	{"Kiều", [4]uint16{15, 20, 15, 10}}, {"Kim", [4]uint16{20, 20, 10, 5}}, {"Lộc", [4]uint16{10, 8, 5, 2}},
	{"Lựu", [4]uint16{10, 5, 1, 0}}, {"Mến", [4]uint16{15, 15, 5, 1}}, {"Mùi", [4]uint16{15, 5, 1, 0}},
	{"Ngát", [4]uint16{10, 10, 5, 1}}, {"Nhài", [4]uint16{10, 8, 3, 1}}, {"Nhị", [4]uint16{10, 5, 2, 1}},
	{"Ninh", [4]uint16{5, 5, 5, 5}}, {"Phúc", [4]uint16{5, 5, 5, 10}}, {"Sáu", [4]uint16{10, 3, 0, 0}},
	{"Thoại", [4]uint16{3, 5, 8, 5}}, {"Vui", [4]uint16{10, 5, 2, 1}}, {"Cẩm", [4]uint16{10, 10, 8, 5}},
	{"Đoan", [4]uint16{5, 8, 10, 10}}, {"Kha", [4]uint16{1, 2, 5, 15}},
}

// Given names of groups whose names do not follow the Kinh pattern. Short
// lists: enough to look right and to exercise matching on names with
// apostrophes, clan names and one-syllable names.
var (
	mongMaleGiven   = []pw{{"Páo", 10}, {"Sử", 8}, {"Dế", 6}, {"Chứ", 8}, {"Pó", 5}, {"Lử", 5}, {"Tủa", 6}, {"Dính", 5}, {"Chư", 5}, {"Sính", 5}, {"Chinh", 4}, {"Phừ", 4}, {"Nhè", 3}, {"Pàng", 4}, {"Vả", 3}, {"Xá", 4}, {"Thề", 3}, {"Lồng", 3}, {"Mua", 4}, {"Cở", 3}, {"Tếnh", 2}, {"Súng", 3}, {"Dìa", 3}, {"Chá", 3}, {"Chông", 3}, {"Phin", 4}, {"Quẩy", 3}, {"Kiềm", 3}, {"Vần", 3}, {"Tòng", 3}}
	mongFemaleGiven = []pw{{"Mỷ", 10}, {"Dua", 6}, {"Sông", 5}, {"Chua", 5}, {"Pà", 6}, {"Xí", 5}, {"Dợ", 5}, {"Say", 4}, {"Súa", 4}, {"Mai", 6}, {"Mua", 4}, {"Dinh", 4}, {"Pằng", 3}, {"Cở", 3}, {"Mái", 3}, {"Chi", 3}, {"Lan", 4}, {"Hoa", 4}, {"Của", 3}, {"Sua", 3}, {"Ly", 4}, {"Mẩy", 5}, {"Nái", 3}, {"Dín", 3}, {"Lìu", 3}, {"Chòi", 2}, {"Mùi", 3}}
	mongMaleMiddle  = []pw{{"A", 50}, {"Seo", 15}, {"Văn", 25}, {"Mí", 5}, {"Chẩn", 5}}
	mongFemaleMid   = []pw{{"Thị", 75}, {"Mý", 10}, {"Thị Mỷ", 3}, {"Tả", 5}, {"Mẩy", 7}}
	khmerMaleGiven  = []pw{{"Sa Rinh", 5}, {"Sô Phanh", 4}, {"Sóc Khe", 4}, {"Chanh Đa", 4}, {"Thol", 3}, {"Sóc", 5}, {"Rươl", 3}, {"Kha", 4}, {"Sa Vết", 3}, {"Chanh Thu", 3}, {"Ra", 4}, {"Phanh", 4}, {"Sóc Chia", 3}, {"Sa Mon", 3}, {"Sang", 5}, {"Chanh", 5}, {"Pho", 3}, {"Chây", 3}, {"Sâm", 3}, {"Kim Sang", 3}, {"Ta", 3}, {"Nhem", 3}, {"Khol", 3}, {"Sa Ron", 3}, {"Chia", 3}, {"Phách", 3}, {"Sà", 3}, {"Mến", 3}, {"Hùng", 3}, {"Tuấn", 3}}
	khmerFemGiven   = []pw{{"Sa Ry", 5}, {"Pha", 4}, {"Sóc", 3}, {"Chanh Na", 4}, {"Sa Rây", 4}, {"Mum", 3}, {"Ni", 4}, {"Sa Quênh", 3}, {"Chanh Thi", 3}, {"Srây", 3}, {"Kim Thoa", 3}, {"Sa Mết", 3}, {"Nhung", 3}, {"Phiêng", 3}, {"Sóc Ny", 3}, {"Thi", 4}, {"Nhi", 3}, {"Ly", 4}, {"Sa Vân", 3}, {"Đa Ly", 3}, {"Chanh Ny", 3}, {"Ra Ny", 3}, {"Sa Phia", 3}, {"Thu", 3}, {"Mỹ", 3}}
	edeMaleGiven    = []pw{{"Moan", 4}, {"Bih", 5}, {"Ngông", 4}, {"Jơn", 4}, {"Blơh", 4}, {"Djao", 3}, {"Kông", 4}, {"Sing", 3}, {"Đhiêng", 3}, {"Wơn", 3}, {"Nhơn", 3}, {"Ku", 3}, {"Thuât", 3}, {"Brông", 3}, {"Bhiơ", 2}, {"Ju", 3}, {"Khoa", 4}, {"Thái", 3}, {"Sơn", 4}, {"Thanh", 4}, {"Bang", 3}, {"Điêng", 3}, {"Hưng", 3}, {"Phin", 3}, {"Phơn", 3}, {"Hlim", 3}, {"Kơk", 2}, {"Yơn", 2}, {"Krin", 2}, {"Tlang", 2}}
	edeFemaleGiven  = []pw{{"Hen", 4}, {"Mai", 4}, {"Lan", 4}, {"Bla", 3}, {"Juin", 3}, {"Duôn", 3}, {"Bông", 3}, {"Hni", 3}, {"Yam", 3}, {"Wang", 2}, {"Ái", 3}, {"Linh", 4}, {"Nga", 3}, {"Duin", 3}, {"Ngơn", 2}, {"Yâo", 2}, {"Lim", 3}, {"Djuê", 2}, {"Hiên", 3}, {"Bơ", 3}, {"Nhi", 3}, {"Blin", 2}, {"Yơn", 2}, {"Hương", 3}, {"Thu", 3}}
	aMaleGiven      = []pw{{"Sang", 4}, {"Khang", 4}, {"Nhong", 3}, {"Đôn", 3}, {"Thiết", 3}, {"Dũi", 3}, {"Tuấn", 3}, {"Hmút", 2}, {"Blúp", 2}, {"Krung", 3}, {"Bới", 3}, {"Hyơk", 2}, {"Thái", 3}, {"Hùng", 3}, {"Kiên", 3}, {"Nham", 3}, {"Phương", 3}, {"Đê", 3}}
	aFemaleGiven    = []pw{{"Đêm", 4}, {"Hoa", 4}, {"Bhăng", 3}, {"Nhêm", 3}, {"Hiêng", 3}, {"Sương", 3}, {"Lan", 4}, {"Mai", 4}, {"Blưch", 2}, {"Phlôi", 2}, {"Thúy", 3}, {"Hương", 3}, {"Dơn", 3}, {"Nhiên", 3}}
	khoMaleGiven    = []pw{{"Brơi", 4}, {"Đình", 4}, {"Sáu", 3}, {"Tiến", 3}, {"Hùng", 3}, {"Lâm", 3}, {"Broi", 3}, {"Nhía", 3}, {"Bình", 3}, {"Điểu", 3}, {"Mai", 2}, {"Thành", 3}, {"Tuấn", 3}}
	khoFemaleGiven  = []pw{{"Huyên", 4}, {"Hoa", 4}, {"Liên", 3}, {"Dúp", 3}, {"Nai", 3}, {"Thanh", 3}, {"Điệp", 3}, {"Brit", 2}, {"Nhung", 3}, {"Hương", 3}, {"Mây", 3}}
)

// style is how a group composes a full name.
type style uint8

const (
	styleKinh  style = iota // surname, middle name, given name
	styleMong               // Mông and Dao: surname, A/Seo/Văn or Thị/Mý, given name
	styleKhmer              // surname, (Văn/Thị), one- or two-syllable Khmer name
	styleEde                // Y (men) or H' (women) + given name, clan name last
	styleJarai              // clan name, then given name (H' for women)
	styleA                  // Bahnar, Sedang: A (men) / Y (women) + given, or Đinh Văn …
	styleKho                // Cơ Ho, Mạ: K' (men) / Ka (women) + given, clan first
)

// names holds the compiled tables.
type names struct {
	sur                [surnameGroups]*plain
	maleMid, femaleMid *eraTables
	maleGiv, femaleGiv *eraTables
	mongMG, mongFG     *plain
	mongMM, mongFM     *plain
	khmerMG, khmerFG   *plain
	edeMG, edeFG       *plain
	aMG, aFG           *plain
	khoMG, khoFG       *plain
}

func buildNames() *names {
	n := &names{
		maleMid: newEraTables(maleMiddles), femaleMid: newEraTables(femaleMiddles),
		maleGiv: newEraTables(maleGiven), femaleGiv: newEraTables(femaleGiven),
		mongMG: newPlain(mongMaleGiven), mongFG: newPlain(mongFemaleGiven),
		mongMM: newPlain(mongMaleMiddle), mongFM: newPlain(mongFemaleMid),
		khmerMG: newPlain(khmerMaleGiven), khmerFG: newPlain(khmerFemGiven),
		edeMG: newPlain(edeMaleGiven), edeFG: newPlain(edeFemaleGiven),
		aMG: newPlain(aMaleGiven), aFG: newPlain(aFemaleGiven),
		khoMG: newPlain(khoMaleGiven), khoFG: newPlain(khoFemaleGiven),
	}
	for g := range surnameGroups {
		n.sur[g] = newPlain(groupSurnames[g])
	}
	return n
}

// huynhShare and voShare are, per region, the shares of Hoàng/Huỳnh and
// Vũ/Võ bearers who spell it the southern way.
var (
	huynhShare = [...]float64{north: 0.03, northHills: 0.03, northCentral: 0.15, southCentral: 0.6, highlands: 0.45, south: 0.8}
	voShare    = [...]float64{north: 0.05, northHills: 0.05, northCentral: 0.5, southCentral: 0.8, highlands: 0.6, south: 0.85}
)

// surname draws a surname of group g for a family from region reg.
func (n *names) surname(r *rng, g surnameGroup, reg region) string {
	s := n.sur[g].pick(r)
	if g == sgKinh {
		switch s {
		case "Hoàng":
			if r.chance(huynhShare[reg]) {
				return "Huỳnh"
			}
		case "Vũ":
			if r.chance(voShare[reg]) {
				return "Võ"
			}
		}
	}
	return s
}

// person names: the parts the generator keeps for duplicates and namesakes.
type pname struct {
	sur, mid, giv, full string
}

// compose returns a full name from its parts.
func compose(b []byte, st style, sex registry.Sex, p *pname) []byte {
	add := func(s string) {
		if s == "" {
			return
		}
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = append(b, s...)
	}
	switch st {
	case styleEde:
		if sex == registry.Female {
			b = append(b, "H'"...)
		} else {
			b = append(b, "Y "...)
		}
		b = append(b, p.giv...)
		add(p.sur)
	case styleJarai:
		add(p.sur)
		if sex == registry.Female {
			b = append(b, " H'"...)
			b = append(b, p.giv...)
		} else {
			add(p.giv)
		}
	case styleKho:
		add(p.sur)
		if len(b) > 0 {
			b = append(b, ' ')
		}
		if sex == registry.Female {
			b = append(b, "Ka "...)
		} else {
			b = append(b, "K'"...)
		}
		b = append(b, p.giv...)
	case styleA:
		if p.sur == "" {
			if sex == registry.Female {
				b = append(b, "Y "...)
			} else {
				b = append(b, "A "...)
			}
			b = append(b, p.giv...)
			break
		}
		fallthrough
	default:
		add(p.sur)
		add(p.mid)
		add(p.giv)
	}
	return b
}

// given draws a middle and a given name of style st. motherSur, when set,
// may become part of a double middle name (Nguyễn Trần Minh Anh), a
// fashion of recent decades.
func (n *names) given(r *rng, st style, sex registry.Sex, year int, motherSur string, p *pname) {
	e := eraOf(year)
	male := sex == registry.Male
	p.mid, p.giv = "", ""
	switch st {
	case styleMong:
		if male {
			p.mid, p.giv = n.mongMM.pick(r), n.mongMG.pick(r)
		} else {
			p.mid, p.giv = n.mongFM.pick(r), n.mongFG.pick(r)
		}
		return
	case styleKhmer:
		if male {
			if r.chance(0.3) {
				p.mid = "Văn"
			}
			p.giv = n.khmerMG.pick(r)
		} else {
			if r.chance(0.8) {
				p.mid = "Thị"
			}
			p.giv = n.khmerFG.pick(r)
		}
		return
	case styleEde, styleJarai:
		if male {
			p.giv = n.edeMG.pick(r)
		} else {
			p.giv = n.edeFG.pick(r)
		}
		return
	case styleKho:
		if male {
			p.giv = n.khoMG.pick(r)
		} else {
			p.giv = n.khoFG.pick(r)
		}
		return
	case styleA:
		if p.sur == "" {
			if male {
				p.giv = n.aMG.pick(r)
			} else {
				p.giv = n.aFG.pick(r)
			}
			return
		}
	}
	mid, giv := n.femaleMid, n.femaleGiv
	if male {
		mid, giv = n.maleMid, n.maleGiv
	}
	p.giv = giv.pick(r, e)
	x := r.f64()
	double := [eras]float64{0.005, 0.02, 0.06, 0.16}[e]
	switch {
	case x < 0.02:
		// No middle name: rare, but real (Lê Na, Trần Vinh).
	case x < 0.02+double:
		m1, m2 := mid.pick(r, eraRecent), mid.pick(r, eraRecent)
		if motherSur != "" && motherSur != p.sur && r.chance(0.5) {
			m1 = motherSur
		}
		if m1 == m2 || m2 == p.giv {
			p.mid = m1
		} else {
			p.mid = m1 + " " + m2
		}
	default:
		p.mid = mid.pick(r, e)
		if p.mid == p.giv {
			p.mid = mid.pick(r, e)
		}
	}
}
