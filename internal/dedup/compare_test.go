package dedup

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"dancu/internal/civil"
)

func TestAppendCanon(t *testing.T) {
	tests := []struct{ in, want string }{
		{"nguyen", "nguyen"},
		{"nguyeenx", "nguyen"}, // Telex ee, x
		{"nguye6n4", "nguyen"}, // VNI
		{"vawn", "van"},
		{"traanf", "tran"},
		{"truwowng", "truong"},
		{"ddwcs", "duc"}, // bare w is ư
		{"huwux", "huu"}, // uu is kept: the fold of ưu
		{"huongg", "huong"},
		{"thannh", "thanh"},
		{"huynh", "hoang"}, // variants
		{"vo", "vu"},
		{"vy", "vi"},
		{"ly", "li"},
		{"quy", "qui"},
		{"thuy", "thuy"}, // y after a vowel stays
		{"huy", "huy"},
		{"xuan", "xuan"}, // s, x, r at the start stay
		{"son", "son"},
		{"rang", "rang"},
		{"123", "123"}, // nothing but remnants: kept
	}
	for _, tt := range tests {
		got, _ := appendCanon(nil, tt.in)
		if string(got) != tt.want {
			t.Errorf("appendCanon(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestOSADistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"hung", "hung", 0}, {"hung", "hunh", 1}, {"phuong", "phuogn", 1}, {"trong", "trog", 1},
		{"ngyen", "nguyen", 1}, {"lan", "long", 2}, {"tuan", "tu", 2}, {"an", "anh", 1}, {"", "a", 1},
	}
	for _, tt := range tests {
		if got := osaDistance([]byte(tt.a), []byte(tt.b)); got != tt.want {
			t.Errorf("osaDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := osaDistance([]byte(tt.b), []byte(tt.a)); got != tt.want {
			t.Errorf("osaDistance(%q, %q) = %d, want %d", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestIsSyllable(t *testing.T) {
	for _, s := range []string{"nguyen", "anh", "gin", "gia", "quang", "nghieng", "khuyu", "po", "hieng", "y", "oanh"} {
		if !isSyllable([]byte(s)) {
			t.Errorf("isSyllable(%q) = false", s)
		}
	}
	for _, s := range []string{"phuogn", "trog", "qyang", "paht", "ln", "hq", "nguyenx"} {
		if isSyllable([]byte(s)) {
			t.Errorf("isSyllable(%q) = true", s)
		}
	}
}

func TestYearSlip(t *testing.T) {
	for _, c := range []struct {
		a, b int
		want bool
	}{{1985, 1986, true}, {1967, 1976, true}, {1994, 1984, true}, {1985, 1958, true}, {1985, 1976, false}, {1980, 1991, false}} {
		if got := yearSlip(c.a, c.b); got != c.want {
			t.Errorf("yearSlip(%d, %d) = %v", c.a, c.b, got)
		}
	}
}

func TestCompareDates(t *testing.T) {
	d := civil.MustParse
	tests := []struct {
		a, b, code string
	}{
		{"1985-03-07", "1985-03-07", "birth_date_equal"},
		{"1950-01-01", "1950-01-01", "birth_date_placeholder_equal"},
		{"1985-03-07", "1985-07-03", "birth_day_month_swapped"},
		{"1986-12-31", "1987-01-01", "birth_date_off_by_one"},
		{"1950-01-01", "1950-08-14", "birth_date_placeholder"},
		{"1967-09-23", "1976-09-23", "birth_year_typo"},
		{"1973-05-16", "1973-05-26", "birth_day_typo"},
		{"1985-03-07", "1985-03-10", "birth_date_days_off"},
		{"1973-05-17", "1973-05-19", "birth_date_days_off"}, // also one digit: the closer reading wins
		{"1988-11-30", "1988-12-02", "birth_date_days_off"},
		{"1990-12-30", "1991-01-02", "birth_date_days_off"},
		{"1985-03-07", "1985-03-11", "birth_day_month_differ"}, // four days: no longer "a few"
		{"1949-03-15", "1949-02-15", "birth_month_differs"},
		{"1980-03-15", "1980-09-02", "birth_day_month_differ"},
		{"1985-09-02", "1986-03-01", "birth_year_differs"},
		{"1980-02-02", "1983-12-12", "birth_years_apart"},
		{"1948", "1948-05-19", "birth_year_equal"},
		{"1982-06", "1982-06-17", "birth_month_equal"},
		{"1972-03", "1972", "birth_year_equal"},
		{"1966", "1966-01-01", "birth_year_equal"},
		{"1953-08", "1953-02-02", "birth_month_differs"},
		{"1960", "1966-03-03", "birth_years_apart"},
	}
	for _, tt := range tests {
		for _, c := range []dateCmp{compareDates(d(tt.a), d(tt.b)), compareDates(d(tt.b), d(tt.a))} {
			if c.code != tt.code {
				t.Errorf("compareDates(%s, %s) = %s, want %s", tt.a, tt.b, c.code, tt.code)
			}
		}
	}
	if c := compareDates(civil.Date{}, d("1980")); c.code != "" {
		t.Errorf("a missing date gave %s", c.code)
	}
}

func TestCompareNames(t *testing.T) {
	tests := []struct {
		a, b  string
		kind  nameKind
		order order
	}{
		{"Nguyễn Văn An", "NGUYEN VAN AN", nameMatch, orderKinh},
		{"Nguyễn Văn An", "Nguyeenx Vawn An", nameMatch, orderKinh},
		{"Nguyễn Văn Bình", "Bình Nguyễn Văn", nameMatch, orderRotated},
		{"Đỗ Thị Hải Yến", "Đỗ Thị Yến Hải", nameMatch, orderShuffled},
		{"Danh Thị Sa Rết", "Danh Thị Sarết", nameMatch, orderSpacing},
		{"Nguyễn Thị Lan", "Nguyễn Lan", nameMatch, orderKinh},
		{"Huỳnh Văn Tài", "Hoàng Văn Tài", nameMatch, orderKinh},
		{"Trần Tường Vy", "Trần Tường Vi", nameMatch, orderKinh},
		{"Phạm Văn Hùng", "Phạm Văn Hùnh", nameMatch, orderKinh},
		{"Nguyễn Văn Long", "Nguyễn Văn Lân", nameDiffGiven, orderKinh},
		{"Trần Minh Khang", "Trần Minh Khanh", nameDiffGiven, orderKinh}, // two names in use
		// Initial consonants that sound alike: a slip, names in use or not.
		{"Nguyễn Văn Danh", "Nguyễn Văn Gianh", nameMatch, orderKinh},
		{"Nguyễn Minh Vũ", "Nguyễn Minh Dũ", nameMatch, orderKinh},
		{"Dương Châu Khánh Vân", "Dương Châu Khánh Dân", nameMatch, orderKinh},
		{"Lê Minh Thu Chi", "Lê Minh Thu Tri", nameMatch, orderKinh},
		{"Mai Thị Linh", "Mai Thị Ninh", nameMatch, orderKinh},
		{"Lê Văn Nam", "Lê Văn Lam", nameMatch, orderKinh},
		{"Trần Thị Sương", "Trần Thị Xương", nameMatch, orderKinh},
		{"Lê Văn Hùng", "Lê Văn Dũng", nameDiffGiven, orderKinh}, // rhymes, but h and d are not confused
		// A last letter lost: a slip when what is left is no name in use,
		// or cannot be a syllable as written.
		{"Đỗ Thị Kim", "Đỗ Thị Ki", nameMatch, orderKinh},
		{"Nguyễn Thị Mai", "Nguyễn Thị Ma", nameMatch, orderKinh},
		{"Trần Phúc Châu", "Trần Phúc Châ", nameMatch, orderKinh},
		{"Tôn Trí Lâm", "Tôn Trí Lâ", nameMatch, orderKinh},
		{"Trần Thị Yến", "Trần Thị Yê", nameMatch, orderKinh},
		{"Lê Ngọc Hân", "Lê Ngọc Hà", nameDiffGiven, orderKinh},     // two names
		{"Võ Hoàng Phúc", "Võ Hoàng Phú", nameDiffGiven, orderKinh}, // two names
		{"Nguyễn Thị Thanh", "Nguyễn Thị Than", nameDiffGiven, orderKinh},
		{"Sùng A Páo", "Sùng A Pó", nameDiffGiven, orderKinh}, // not a lost last letter
		{"Y Moan Niê", "Y Moan Êban", nameDiffGiven, orderKinh},
		{"Nguyễn Thị Lan Anh", "Nguyễn Thị Ngọc Anh", nameDiffMiddle, orderKinh},
		{"Trần Thị Mai", "Trương Thị Mai", nameDiffSurname, orderKinh},
		{"Đinh Mỹ Hương", "Lâm Thị Kim Hương", nameOnlyGiven, orderKinh},
		{"", "An", nameEmpty, orderKinh},
	}
	for _, tt := range tests {
		var a, b pname
		a.parse(tt.a, "")
		b.parse(tt.b, "")
		for _, m := range []nameCmp{compareNames(&a, &b), compareNames(&b, &a)} {
			if m.kind != tt.kind || m.order != tt.order {
				t.Errorf("compareNames(%q, %q) = kind %d order %d, want %d %d", tt.a, tt.b, m.kind, m.order, tt.kind, tt.order)
			}
		}
	}
}

func TestSoundAlike(t *testing.T) {
	alike := [][2]string{{"lan", "nan"}, {"suong", "xuong"}, {"trang", "chang"}, {"dung", "giung"}, {"dung", "vung"},
		{"dung", "rung"}, {"giang", "dang"}, {"gin", "din"}, {"nam", "lam"}, {"vi", "di"}, {"duy", "giuy"}}
	for _, p := range alike {
		if !soundAlike([]byte(p[0]), []byte(p[1])) || !soundAlike([]byte(p[1]), []byte(p[0])) {
			t.Errorf("soundAlike(%s, %s) = false", p[0], p[1])
		}
		if initialClass([]byte(p[0])) != initialClass([]byte(p[1])) {
			t.Errorf("initialClass(%s) != initialClass(%s)", p[0], p[1])
		}
	}
	for _, p := range [][2]string{{"lan", "lan"}, {"hung", "dung"}, {"nga", "lga"}, {"nhung", "lung"}, {"tam", "cam"}, {"lan", "nam"}} {
		if soundAlike([]byte(p[0]), []byte(p[1])) {
			t.Errorf("soundAlike(%s, %s) = true", p[0], p[1])
		}
	}
	// The initial classes are coarser than the sounds: a slip after the
	// first letter keeps it (Trung typed Turng; Ngọc typed Lgọc).
	for _, p := range [][2]string{{"trung", "turng"}, {"trung", "chung"}, {"ngoc", "lgoc"}} {
		if initialClass([]byte(p[0])) != initialClass([]byte(p[1])) {
			t.Errorf("initialClass(%s) != initialClass(%s)", p[0], p[1])
		}
	}
}

func TestBrokenParts(t *testing.T) {
	tests := []struct {
		name   string
		broken []bool
	}{
		{"Tôn Trí Lâ", []bool{false, false, true}},
		{"Trần Thị Yê", []bool{false, false, true}},
		{"Nguyễn Mạnh Tuâ", []bool{false, false, true}},
		{"Lê Văn Luă", []bool{false, false, true}},
		{"Phạm Văn Muô", []bool{false, false, true}},
		{"Đỗ Phươ", []bool{false, true}},
		{"Nguyễn Văn Tâm", []bool{false, false, false}},
		{"Lê Thị Tư Sơ Tô Lê Mưa Thuở", []bool{false, false, false, false, false, false, false, false}},
		{"Tra\u0302\u0300n Thi\u0323 Ta\u0302", []bool{false, false, true}}, // decomposed (NFD)
		{"H'Lâ Niê", []bool{true, true}},                                    // Kinh spelling's rules, which Ê Đê names need not follow
		{"Tran Thi Ta", []bool{false, false, false}},                        // no diacritics: nothing to tell
	}
	for _, tt := range tests {
		var p pname
		p.parse(tt.name, "")
		if p.n != len(tt.broken) {
			t.Fatalf("%q: %d parts", tt.name, p.n)
		}
		for i, want := range tt.broken {
			if got := p.broken(i); got != want {
				t.Errorf("%q part %d (%s): broken %v, want %v", tt.name, i, p.fTok(i), got, want)
			}
		}
	}
}

func TestPlaces(t *testing.T) {
	ix := placeIdx()
	tests := []struct {
		a, b string
		want placeRel
	}{
		{"00070", "00070", placeSame},
		{"00049", "00070", placeRecoded},      // Hàng Đào merged into Hoàn Kiếm
		{"12616", "12634", placeRecoded},      // Thái Bình commune into Hưng Yên
		{"00331", "00145", placeSameProvince}, // two Hà Nội wards
		{"00331", "27028", placeOtherProvince},
		{"99998", "99999", placeDifferent},
		{"", "00070", placeUnknown},
	}
	for _, tt := range tests {
		if got := ix.rel(tt.a, tt.b); got != tt.want {
			t.Errorf("rel(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := ix.rel(tt.b, tt.a); got != tt.want {
			t.Errorf("rel(%s, %s) = %d, want %d", tt.b, tt.a, got, tt.want)
		}
	}
}

func rec(name, date, sex string) Record {
	return Record{FullName: name, BirthDate: civil.MustParse(date), Sex: sex, BirthPlace: "00331", Province: "01", Commune: "00331"}
}

func hasReason(c Candidate, code string) bool {
	return slices.ContainsFunc(c.Reasons, func(r Reason) bool { return r.Code == code })
}

func TestRules(t *testing.T) {
	twinA := rec("Nguyễn Văn Long", "2010-06-15", "male")
	twinA.MotherKey, twinA.FatherKey = 9, 10
	twinB := twinA
	twinB.FullName = "Nguyễn Văn Lân"

	close := twinA
	close.FullName = "Nguyễn Văn Logn" // a slip that breaks the syllable: not a twin's name

	parent := rec("Nguyễn Văn Hùng", "1955-03-10", "male")
	parent.Key = 1
	child := rec("Nguyễn Văn Hùng", "1982-07-20", "male")
	child.Key, child.FatherKey = 2, 1

	girl := rec("Nguyễn Ngọc Anh", "2004-04-04", "female")
	boy := rec("Nguyễn Ngọc Anh", "2004-04-04", "male")
	boyLinked := boy
	girl.LegacyIDs, boyLinked.LegacyIDs = []string{"012345678"}, []string{"012345678"}

	sharedCard := twinB
	sharedCard.LegacyIDs, twinA.LegacyIDs = []string{"001"}, nil
	twinCard := twinA
	twinCard.LegacyIDs = []string{"001"}

	tests := []struct {
		name   string
		a, b   Record
		dup    bool
		reason string
	}{
		{"twins", twinA, twinB, false, "twins"},
		{"slip, same parents and date", twinA, close, true, "given_name_typo"},
		{"parent and child", parent, child, false, "parent_child"},
		{"different sex", girl, boy, false, "different_sex"},
		{"different sex excused by a shared card", girl, boyLinked, true, "sex_differs"},
		{"a shared card overrides the twins rule", twinCard, sharedCard, true, "same_legacy_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Compare(&tt.a, &tt.b)
			if c.Duplicate != tt.dup || !hasReason(c, tt.reason) {
				t.Errorf("Duplicate = %v (%.3f), want %v with %s: %s", c.Duplicate, c.Score, tt.dup, tt.reason, reasons(c.Reasons))
			}
		})
	}
}

// TestCompareSymmetric checks Compare(a, b) and Compare(b, a) on every
// labelled pair, on each labelled record against others, and on random
// synthetic pairs.
func TestCompareSymmetric(t *testing.T) {
	pairs := loadLabelled(t)
	var recs []Record
	for _, p := range pairs {
		recs = append(recs, p.A, p.B)
	}
	pop := makePopulation(t, 500, 100, 50, 5)
	rng := rand.New(rand.NewPCG(9, 9))
	check := func(a, b *Record) {
		t.Helper()
		x, y := Compare(a, b), Compare(b, a)
		if x.Score != y.Score || x.Duplicate != y.Duplicate || !slices.Equal(x.Reasons, y.Reasons) || x.A != y.B || x.B != y.A {
			t.Errorf("asymmetric: %s / %s: %.6f %s vs %.6f %s", a.FullName, b.FullName, x.Score, reasons(x.Reasons), y.Score, reasons(y.Reasons))
		}
	}
	for i := 0; i+1 < len(recs); i += 2 {
		check(&recs[i], &recs[i+1])
		j := rng.IntN(len(recs))
		check(&recs[i], &recs[j])
	}
	for range 2000 {
		check(&pop.records[rng.IntN(len(pop.records))], &pop.records[rng.IntN(len(pop.records))])
	}
}

// TestScoreIsReasons checks that the score is exactly the logistic of Base
// and the reasons' weights, and lies in [0,1].
func TestScoreIsReasons(t *testing.T) {
	for _, p := range loadLabelled(t) {
		c := Compare(&p.A, &p.B)
		sum := Base
		for _, r := range c.Reasons {
			sum += r.Weight
		}
		if got := logistic(sum); math.Abs(got-c.Score) > 1e-9 || c.Score < 0 || c.Score > 1 {
			t.Errorf("%s: score %.9f, logistic(Σ) %.9f", p.ID, c.Score, got)
		}
		if c.Duplicate != (c.Score >= Threshold) {
			t.Errorf("%s: Duplicate %v at score %.3f", p.ID, c.Duplicate, c.Score)
		}
	}
}

// TestBlockingKeysShared checks that every labelled duplicate pair shares a
// blocking key (blocking never loses a pair the scorer would accept).
func TestBlockingKeysShared(t *testing.T) {
	missed := 0
	for _, p := range loadLabelled(t) {
		if p.Label != LabelDuplicate {
			continue
		}
		ka, kb := BlockingKeys(&p.A, nil), BlockingKeys(&p.B, nil)
		if !slices.ContainsFunc(ka, func(k uint64) bool { return slices.Contains(kb, k) }) {
			missed++
			if Compare(&p.A, &p.B).Duplicate {
				t.Errorf("%s (%s): a duplicate by score shares no blocking key: %s / %s", p.ID, p.Kind, p.A.FullName, p.B.FullName)
			} else {
				t.Logf("%s (%s): shares no blocking key (and is not scored a duplicate)", p.ID, p.Kind)
			}
		}
	}
	t.Logf("%d labelled duplicates share no blocking key", missed)
}

// sharedKinds returns the kinds of blocking key that a and b share.
func sharedKinds(a, b *Record) []byte {
	ka, kb := BlockingKeys(a, nil), BlockingKeys(b, nil)
	var kinds []byte
	for _, k := range ka {
		if slices.Contains(kb, k) && !slices.Contains(kinds, byte(k>>60)) {
			kinds = append(kinds, byte(k>>60))
		}
	}
	slices.Sort(kinds)
	return kinds
}

// TestBlockingKeysSlips checks the keys that catch slips no other key
// survives: a sound-alike initial in the given name, dates a few days off.
func TestBlockingKeysSlips(t *testing.T) {
	r := func(name, date, bp, province string) Record {
		return Record{FullName: name, BirthDate: civil.MustParse(date), BirthPlace: bp, Province: province}
	}
	tests := []struct {
		name string
		a, b Record
		kind byte
	}{
		// Only the given name's initial differs, born elsewhere on the
		// record, living in other provinces: the surname-given key.
		{"Danh/Gianh", r("Nguyễn Văn Danh", "1959-07-01", "17602", "38"), r("Nguyễn Văn Gianh", "1959-07-01", "", "79"), keySurnameGiven},
		{"Vũ/Dũ", r("Nguyễn Minh Vũ", "1996-07-19", "31792", "92"), r("Nguyễn Minh Dũ", "1996", "", "01"), keySurnameGiven},
		{"Trang/Chang", r("Lê Thị Trang", "1990", "", "01"), r("Le Thi Chang", "1990", "", "79"), keySurnameGiven},
		// The given name's initial and the date: initials and date.
		{"Sơn/Xơn", r("Lộc Phúc Sơn", "1980-09-12", "", "14"), r("Lộc Phúc Xơn", "1980-09-12", "", "01"), keyInitialsDate},
		// Year-only, one birth commune: the place and initial key.
		{"Lương/Nương", r("Trần Hữu Lương", "1986", "09193", ""), r("Trần Hữu Nương", "1986", "09193", ""), keyPlaceInitial},
		// Three days apart across a month's end, nothing else shared.
		{"three days off", r("Phạm Minh Hậu", "1988-11-30", "15946", "38"), r("Phạm Minh Hậu", "1988-12-03", "", "79"), keyNameDays},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if kinds := sharedKinds(&tt.a, &tt.b); !slices.Contains(kinds, tt.kind) {
				t.Errorf("%s / %s share kinds %v, want %d", tt.a.FullName, tt.b.FullName, kinds, tt.kind)
			}
		})
	}
}

// TestNameDaysWindows checks that dates at most maxDaysOff apart always
// share a keyNameDays key, across month and year ends, and that dates
// farther apart do not.
func TestNameDaysWindows(t *testing.T) {
	a := Record{FullName: "Trần Văn Hùng"}
	b := a
	for d := civil.MustParse("1999-12-01"); d.Before(civil.MustParse("2000-03-15")); d = d.AddDays(1) {
		a.BirthDate = d
		for off := -maxDaysOff - 3; off <= maxDaysOff+3; off++ {
			b.BirthDate = d.AddDays(off)
			shared := slices.Contains(sharedKinds(&a, &b), keyNameDays)
			if abs := max(off, -off); abs <= maxDaysOff && !shared || abs > 2*maxDaysOff && shared {
				t.Fatalf("%s and %s (%d days): share keyNameDays %v", a.BirthDate, b.BirthDate, off, shared)
			}
		}
	}
}

func TestReadLabelledErrors(t *testing.T) {
	for _, in := range []string{
		`{"id":"x","label":"maybe","a":{"full_name":"A","birth_date":"1980"},"b":{"full_name":"A","birth_date":"1980"}}`,
		`{"id":"x","label":"distinct","extra":1,"a":{},"b":{}}`,
		`{"id":"x","label":"distinct","a":{"birth_date":"1980-13-01"},"b":{}}`,
	} {
		if _, err := ReadLabelled(strings.NewReader(in)); err == nil {
			t.Errorf("ReadLabelled(%s) succeeded", in)
		}
	}
}

var sinkCandidate Candidate

func BenchmarkCompare(b *testing.B) {
	pairs := loadLabelled(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p := &pairs[i%len(pairs)]
		sinkCandidate = Compare(&p.A, &p.B)
		i++
	}
}

// BenchmarkScore is the Finder's inner loop: a pair of prepared records
// scored without building reasons.
func BenchmarkScore(b *testing.B) {
	pairs := loadLabelled(b)
	preps := make([][2]prep, len(pairs))
	for i := range pairs {
		preps[i][0].init(&pairs[i].A, "", "", "")
		preps[i][1].init(&pairs[i].B, "", "", "")
	}
	var s scorer
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p := &preps[i%len(preps)]
		sinkFloat = s.score(&p[0], &p[1])
		i++
	}
}

var sinkFloat float64
