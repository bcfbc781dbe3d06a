package seed

import "strconv"

// Addresses follow local usage: street numbers with ngõ/ngách (lanes) in
// the north and hẻm (alleys, often written 123/45) in the south; villages
// are thôn or xóm in the north and centre, ấp in the south, bản in the
// northern mountains, buôn and plei in the Central Highlands. Street names
// are the national heroes and dates every Vietnamese town names streets
// after, so any of them is plausible anywhere.
var streets = []string{
	"Lê Lợi", "Trần Hưng Đạo", "Nguyễn Huệ", "Hai Bà Trưng", "Lý Thường Kiệt", "Quang Trung",
	"Nguyễn Trãi", "Lê Duẩn", "Hùng Vương", "Phan Chu Trinh", "Phan Bội Châu", "Điện Biên Phủ",
	"Võ Thị Sáu", "Nguyễn Thị Minh Khai", "Trần Phú", "Lê Lai", "Nguyễn Du", "Bà Triệu",
	"Lê Thánh Tông", "Ngô Quyền", "Đinh Tiên Hoàng", "Lý Thái Tổ", "Trần Quang Khải", "Hoàng Diệu",
	"Nguyễn Văn Cừ", "Cách Mạng Tháng Tám", "Nguyễn Đình Chiểu", "Pasteur", "Lê Hồng Phong", "Tôn Đức Thắng",
	"Nguyễn Chí Thanh", "Võ Văn Kiệt", "Phạm Văn Đồng", "Trường Chinh", "Lạc Long Quân", "Âu Cơ",
	"Nguyễn Văn Linh", "Hoàng Văn Thụ", "Chu Văn An", "Nguyễn Khuyến", "Phan Đình Phùng", "Yersin",
	"Ba Tháng Hai", "Ba Mươi Tháng Tư", "Nguyễn Thái Học", "Lê Quý Đôn", "Tô Hiến Thành", "Hàm Nghi",
	"Duy Tân", "Trần Nhân Tông", "Nguyễn Trung Trực", "Trương Định", "Mạc Đĩnh Chi", "Kim Mã",
	"Xã Đàn", "Láng Hạ", "Cầu Giấy", "Giải Phóng", "Hoàng Quốc Việt", "Nguyễn Văn Trỗi",
}

var hamlets = []string{
	"Đông", "Đoài", "Thượng", "Hạ", "Trung", "Nam", "Bắc", "Mới", "Tân Lập", "Tân Phú",
	"Bình An", "Hòa Bình", "Phú Lợi", "Mỹ Lợi", "An Phú", "Tân Hòa", "Thanh Bình", "Long Hòa",
	"Phước Hòa", "Bình Thạnh", "Vĩnh Phú", "Đồng Tâm", "Quyết Tiến", "Hợp Thành", "Tiền Phong",
}

// Names of villages in the mountains and the Central Highlands.
var uplandVillages = []string{
	"Nà Mòn", "Pác Bó", "Nà Hang", "Khuổi Nà", "Bó Lếch", "Nà Sài", "Hua Pe", "Sán Thàng",
	"Pa Khoang", "Tả Van", "Lao Chải", "Cát Cát", "Sín Chải", "Phìn Hồ", "Nậm Cang",
}

var highlandVillages = []string{
	"Ako Dhông", "Kô Siêr", "Cuôr Đăng", "Plei Ốp", "Plei Klăh", "Đăk Rơ Wa", "Kon Klor",
	"Tơ Nung", "Ea Kao", "Ea Tam", "Jun", "Đôn", "Kon Jơ Ri",
}

// address writes the address of a household at s.
func (g *Generator) address(s site) string {
	r := &g.r
	b := g.buf[:0]
	reg := g.pl.region(s)
	southern := reg == south || reg == southCentral || reg == highlands
	urban := g.pl.coms[s.nc].urban
	n := func(lo, hi int) { b = strconv.AppendInt(b, int64(r.between(lo, hi)), 10) }
	switch {
	case urban && southern:
		switch x := r.intn(10); {
		case x < 4:
			n(1, 480)
			b = append(b, '/')
			n(1, 90)
			b = append(b, ' ')
			b = append(b, streets[r.intn(len(streets))]...)
		case x < 7:
			b = append(b, "Số "...)
			n(1, 60)
			b = append(b, ", hẻm "...)
			n(1, 480)
			b = append(b, ", đường "...)
			b = append(b, streets[r.intn(len(streets))]...)
		case x < 9:
			b = append(b, "Số "...)
			n(1, 400)
			b = append(b, " đường "...)
			b = append(b, streets[r.intn(len(streets))]...)
		default:
			b = append(b, "Tổ "...)
			n(1, 40)
			b = append(b, ", khu phố "...)
			n(1, 12)
		}
	case urban:
		switch x := r.intn(10); {
		case x < 4:
			b = append(b, "Số "...)
			n(1, 80)
			b = append(b, ", ngõ "...)
			n(1, 320)
			b = append(b, ", phố "...)
			b = append(b, streets[r.intn(len(streets))]...)
		case x < 6:
			b = append(b, "Số "...)
			n(1, 40)
			b = append(b, ", ngách "...)
			n(1, 90)
			b = append(b, ", ngõ "...)
			n(1, 320)
			b = append(b, ", đường "...)
			b = append(b, streets[r.intn(len(streets))]...)
		case x < 8:
			b = append(b, "Số "...)
			n(1, 300)
			b = append(b, " phố "...)
			b = append(b, streets[r.intn(len(streets))]...)
		default:
			b = append(b, "Tổ dân phố "...)
			n(1, 30)
		}
	case reg == northHills && r.chance(0.6):
		b = append(b, "Bản "...)
		b = append(b, uplandVillages[r.intn(len(uplandVillages))]...)
	case reg == highlands && r.chance(0.35):
		if r.chance(0.5) {
			b = append(b, "Buôn "...)
		} else {
			b = append(b, "Làng "...)
		}
		b = append(b, highlandVillages[r.intn(len(highlandVillages))]...)
	case reg == south:
		b = append(b, "Ấp "...)
		if r.chance(0.5) {
			n(1, 12)
		} else {
			b = append(b, hamlets[r.intn(len(hamlets))]...)
		}
	default:
		if r.chance(0.3) {
			b = append(b, "Xóm "...)
		} else {
			b = append(b, "Thôn "...)
		}
		if r.chance(0.55) {
			n(1, 15)
		} else {
			b = append(b, hamlets[r.intn(len(hamlets))]...)
		}
	}
	g.buf = b
	return string(b)
}
