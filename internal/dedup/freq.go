package dedup

// Approximate shares of name parts in the population, keyed by the matching
// form of a token (folded, keyboard remnants removed, Huỳnh as Hoàng, Võ as
// Vũ, a final y after a consonant as i: see appendCanon). They come from
// published surveys of Vietnamese names (the surname shares are the
// well-known ones: Nguyễn about 38%, Trần 11%, Lê 9.5%, ...) and are only
// orders of magnitude for the given and middle names. They serve two
// purposes: the rarer a shared name, the stronger the evidence
// (nameRarity), and a typing slip that turns one known given name into
// another (Khang/Khanh, Thu/Thuy) is read as a different name, not a typo.

// surnameShare is the share of people with each surname.
var surnameShare = map[string]float64{
	"nguyen": 0.38, "tran": 0.11, "le": 0.095, "pham": 0.071, "hoang": 0.051,
	"phan": 0.045, "vu": 0.039, "dang": 0.021, "bui": 0.02, "do": 0.014,
	"ho": 0.013, "ngo": 0.013, "duong": 0.01, "li": 0.005, "dinh": 0.007,
	"dao": 0.005, "truong": 0.005, "cao": 0.004, "lam": 0.004, "mai": 0.004,
	"trinh": 0.004, "luong": 0.003, "ha": 0.004, "ta": 0.002, "doan": 0.003,
	"vuong": 0.002, "chau": 0.002, "luu": 0.002, "nong": 0.002, "lo": 0.002,
	"la": 0.001, "tong": 0.001, "ton": 0.001, "kieu": 0.001, "quach": 0.001,
	"thai": 0.001, "to": 0.001, "tu": 0.001, "mac": 0.001, "lai": 0.001,
	"giang": 0.001, "sung": 0.001, "thao": 0.001, "kim": 0.001, "trieu": 0.001,
}

// middleShare is the share of people with each token among their middle
// names (Thị and Văn dominate).
var middleShare = map[string]float64{
	"thi": 0.30, "van": 0.22, "minh": 0.03, "ngoc": 0.03, "thanh": 0.03,
	"duc": 0.02, "hoang": 0.02, "quoc": 0.015, "huu": 0.015, "thu": 0.015,
	"kim": 0.015, "xuan": 0.012, "hong": 0.012, "anh": 0.01, "bao": 0.01,
	"gia": 0.01, "quang": 0.01, "cong": 0.01, "dinh": 0.01, "hai": 0.008,
	"thuy": 0.008, "tuan": 0.008, "manh": 0.006, "phuong": 0.006, "mi": 0.006,
	"bich": 0.006, "hoai": 0.005, "khanh": 0.005, "trung": 0.005, "tien": 0.004,
	"a": 0.01, // Hmong men: Sùng A Páo
}

// givenShare is the share of people with each given name (the last part).
// Shares of names that fold alike are added (Hùng and Hưng are "hung").
var givenShare = map[string]float64{
	"anh": 0.04, "linh": 0.025, "huong": 0.02, "hung": 0.02, "dung": 0.02,
	"trang": 0.02, "hang": 0.02, "hoa": 0.02, "thanh": 0.02, "tuan": 0.016,
	"lan": 0.016, "nam": 0.016, "minh": 0.015, "ha": 0.015, "mai": 0.015,
	"thao": 0.015, "huy": 0.015, "phuong": 0.015, "long": 0.012, "hai": 0.012,
	"son": 0.012, "thuy": 0.012, "hanh": 0.012, "hien": 0.01, "ngoc": 0.01,
	"yen": 0.01, "nga": 0.01, "thu": 0.01, "duc": 0.01, "tam": 0.01,
	"nhung": 0.008, "hieu": 0.008, "thang": 0.008, "quang": 0.008, "khanh": 0.008,
	"vi": 0.008, "trung": 0.008, "hoang": 0.006, "binh": 0.006, "tung": 0.006,
	"cuong": 0.006, "phuc": 0.006, "an": 0.006, "viet": 0.006, "van": 0.006,
	"loan": 0.006, "quan": 0.006, "li": 0.005, "chi": 0.006, "chau": 0.004,
	"tu": 0.005, "bao": 0.005, "duy": 0.005, "kien": 0.004, "lam": 0.004,
	"vinh": 0.005, "tram": 0.004, "dat": 0.005, "hau": 0.004, "hue": 0.005,
	"hong": 0.006, "nhi": 0.004, "nhu": 0.004, "tai": 0.004, "tan": 0.004,
	"thinh": 0.004, "tien": 0.004, "toan": 0.004, "trinh": 0.003, "uyen": 0.003,
	"xuan": 0.004, "khang": 0.003, "khoa": 0.003, "khoi": 0.003, "loc": 0.003,
	"loi": 0.003, "luan": 0.002, "mi": 0.004, "ngan": 0.004, "nghia": 0.003,
	"nhan": 0.003, "oanh": 0.003, "phat": 0.003, "phong": 0.004, "phu": 0.003,
	"quyen": 0.003, "quynh": 0.004, "sang": 0.003, "tham": 0.002, "thoa": 0.002,
	"tinh": 0.003, "truong": 0.003, "tuyet": 0.002, "vu": 0.003, "diep": 0.002,
	"diem": 0.002, "dieu": 0.002, "duyen": 0.003, "giang": 0.004, "han": 0.003,
	"hao": 0.002, "hoai": 0.002, "huyen": 0.005, "kiet": 0.002, "kim": 0.002,
	"le": 0.002, "lien": 0.003, "man": 0.002, "manh": 0.003, "nguyet": 0.002,
	"nhat": 0.002, "qui": 0.002, "sen": 0.002, "sinh": 0.001,
	"tho": 0.002, "thong": 0.002, "thuan": 0.002, "thuong": 0.003, "tri": 0.003,
	"trong": 0.002, "tuong": 0.002, "tuyen": 0.002, "vuong": 0.001, "cuc": 0.001,
	"dao": 0.002, "hop": 0.001, "lanh": 0.001, "lua": 0.001, "mo": 0.001,
	"no": 0.001, "nu": 0.001, "tuoi": 0.001, "ut": 0.001, "be": 0.002,
	"ba": 0.001, "bay": 0.001, "sau": 0.001, "mot": 0.001, "chin": 0.001,
	"muoi": 0.001, "ti": 0.001, "suu": 0.001, "dan": 0.001, "thin": 0.001,
	"ngo": 0.001, "mui": 0.001, "than": 0.001, "dau": 0.001, "tuat": 0.001,
	"hoi": 0.001, "tin": 0.002, "nhien": 0.001, "thien": 0.002, "dong": 0.002,
	"bac": 0.001, "tay": 0.001, "song": 0.001,
	"chu": 0.001, "tua": 0.001, "su": 0.001, "de": 0.001, "mua": 0.001,
	"lu": 0.001, "seo": 0.001, "sua": 0.001, "cha": 0.001, "pa": 0.001,
	"say": 0.001, "dua": 0.001, "chua": 0.001,
}

// Default shares for parts the tables do not list.
const (
	defaultSurnameShare = 0.0015
	defaultMiddleShare  = 0.005
	defaultGivenShare   = 0.002
)
