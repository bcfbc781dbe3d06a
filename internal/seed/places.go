package seed

import (
	"fmt"
	"slices"
	"strconv"

	"dancu/internal/place"
)

// region is a broad part of the country. Surname spellings (Huỳnh/Hoàng,
// Võ/Vũ), address styles and migration follow it.
type region uint8

const (
	north        region = iota // Red River delta and the northern uplands' towns
	northHills                 // the northern mountains (bản, minorities)
	northCentral               // Thanh Hóa to Huế
	southCentral               // Đà Nẵng to Khánh Hòa
	highlands                  // Tây Nguyên
	south                      // the south-east and the Mekong delta
)

// provinceInfo describes one of the 34 provinces in force from 1 July 2025.
type provinceInfo struct {
	code string
	// pop is the approximate population in thousands: the figures
	// published with the 2025 reorganisation proposals (Resolution
	// 202/2025/QH15 and the provinces' merger files), rounded. They are
	// public aggregate statistics, used only as relative weights.
	pop    uint32
	region region
	// stay is the share of residents whose home town (quê quán) is in the
	// province itself; the big cities draw people from everywhere.
	stay float64
}

var provinceTable = []provinceInfo{
	{"01", 8807, north, 0.65},        // Hà Nội
	{"04", 573, northHills, 0.95},    // Cao Bằng
	{"08", 1865, northHills, 0.92},   // Tuyên Quang + Hà Giang
	{"11", 653, northHills, 0.90},    // Điện Biên
	{"12", 495, northHills, 0.88},    // Lai Châu
	{"14", 1405, northHills, 0.92},   // Sơn La
	{"15", 1779, northHills, 0.90},   // Lào Cai + Yên Bái
	{"19", 1799, north, 0.88},        // Thái Nguyên + Bắc Kạn
	{"20", 881, northHills, 0.95},    // Lạng Sơn
	{"22", 1497, north, 0.80},        // Quảng Ninh
	{"24", 3619, north, 0.85},        // Bắc Ninh + Bắc Giang
	{"25", 4023, north, 0.92},        // Phú Thọ + Vĩnh Phúc + Hòa Bình
	{"31", 4664, north, 0.88},        // Hải Phòng + Hải Dương
	{"33", 3568, north, 0.95},        // Hưng Yên + Thái Bình
	{"37", 4412, north, 0.95},        // Ninh Bình + Hà Nam + Nam Định
	{"38", 4325, northCentral, 0.96}, // Thanh Hóa
	{"40", 3832, northCentral, 0.96}, // Nghệ An
	{"42", 1623, northCentral, 0.96}, // Hà Tĩnh
	{"44", 1871, northCentral, 0.95}, // Quảng Trị + Quảng Bình
	{"46", 1433, northCentral, 0.93}, // Huế
	{"48", 3066, southCentral, 0.85}, // Đà Nẵng + Quảng Nam
	{"51", 2162, southCentral, 0.93}, // Quảng Ngãi + Kon Tum
	{"52", 3584, highlands, 0.88},    // Gia Lai + Bình Định
	{"56", 2244, southCentral, 0.90}, // Khánh Hòa + Ninh Thuận
	{"66", 3347, highlands, 0.80},    // Đắk Lắk + Phú Yên
	{"68", 3873, highlands, 0.80},    // Lâm Đồng + Đắk Nông + Bình Thuận
	{"75", 4491, south, 0.70},        // Đồng Nai + Bình Phước
	{"79", 14003, south, 0.55},       // Hồ Chí Minh City + Bình Dương + Bà Rịa–Vũng Tàu
	{"80", 3254, south, 0.85},        // Tây Ninh + Long An
	{"82", 4370, south, 0.95},        // Đồng Tháp + Tiền Giang
	{"86", 4258, south, 0.95},        // Vĩnh Long + Bến Tre + Trà Vinh
	{"91", 4952, south, 0.93},        // An Giang + Kiên Giang
	{"92", 4200, south, 0.92},        // Cần Thơ + Sóc Trăng + Hậu Giang
	{"96", 2607, south, 0.94},        // Cà Mau + Bạc Liêu
}

// bigCities are where temporary residents (tạm trú) mostly go: industrial
// and service jobs.
var bigCities = []struct {
	code   string
	weight uint32
}{{"79", 50}, {"01", 25}, {"75", 8}, {"24", 7}, {"31", 5}, {"48", 5}}

// commune is a commune in force from 1 July 2025.
type commune struct {
	code, name string
	prov       int32 // index into gen.provs
	urban      bool  // a ward (phường): denser, street addresses
	// olds are the old communes (before 1 July 2025) whose single successor
	// it is; split are old communes it took part of.
	olds, split []int32
}

// oldCommune is a commune in force until 30 June 2025.
type oldCommune struct {
	code, name string
	pidCode    string // "0" + its province code among the 63
	succ       int32  // its only successor, or -1 when it was split
	urban      bool
}

// site is where something is: a current commune and, for dates before
// the reform, one of its predecessors (so an event before 1 July 2025 names
// a commune in force then, as the registry requires).
type site struct {
	nc, oc int32
}

// places is the generator's index of the catalogue.
type places struct {
	reform day
	provs  []province
	provT  table // by population
	cities table // bigCities
	cityP  []int32
	coms   []commune
	olds   []oldCommune
}

type province struct {
	info   provinceInfo
	name   string
	pidNew string // "0" + code
	coms   []int32
	comT   table
	clean  []int32 // old communes with one successor in this province: home towns
}

// buildPlaces indexes the catalogue: the 34 provinces and their communes,
// and for each current commune the old communes that went into it.
func buildPlaces(cat *place.Catalogue) (*places, error) {
	p := &places{reform: fromCivil(place.ReformDate)}
	after := place.ReformDate
	eve := place.ReformDate.AddDays(-1)
	byNew := map[string]int32{}
	var ws []uint32
	for _, info := range provinceTable {
		u, err := cat.Lookup(info.code, after)
		if err != nil || u.Level != place.LevelProvince {
			return nil, fmt.Errorf("seed: province %s not in the place catalogue on %s: %v", info.code, after, err)
		}
		pi := int32(len(p.provs))
		pr := province{info: info, name: u.Name, pidNew: "0" + info.code}
		for _, c := range cat.Communes(info.code, after) {
			byNew[c.Code] = int32(len(p.coms))
			pr.coms = append(pr.coms, int32(len(p.coms)))
			p.coms = append(p.coms, commune{code: c.Code, name: c.Name, prov: pi, urban: c.Kind == "Phường"})
		}
		p.provs = append(p.provs, pr)
		ws = append(ws, info.pop)
	}
	if n := len(cat.Provinces(after)); n != len(provinceTable) {
		return nil, fmt.Errorf("seed: the catalogue has %d provinces on %s, the population table %d", n, after, len(provinceTable))
	}
	p.provT = newTable(ws)
	for _, op := range cat.Provinces(eve) {
		for _, c := range cat.Communes(op.Code, eve) {
			if !c.ValidFrom.IsZero() {
				continue // created in 2025: not in force on older dates
			}
			r, err := cat.Resolve(c.Code, eve)
			if err != nil || len(r.Current) == 0 {
				continue // no recorded successor: nothing can be said of it today
			}
			oi := int32(len(p.olds))
			oc := oldCommune{code: c.Code, name: c.Name, pidCode: "0" + op.Code, succ: -1, urban: c.Kind == "Phường"}
			for _, s := range r.Current {
				ni, ok := byNew[s.Unit.Code]
				if !ok {
					return nil, fmt.Errorf("seed: successor %s of %s is not a current commune", s.Unit.Code, c.Code)
				}
				if len(r.Current) == 1 {
					oc.succ = ni
					p.coms[ni].olds = append(p.coms[ni].olds, oi)
				} else {
					p.coms[ni].split = append(p.coms[ni].split, oi)
				}
			}
			if oc.succ >= 0 {
				pr := &p.provs[p.coms[oc.succ].prov]
				pr.clean = append(pr.clean, oi)
			}
			p.olds = append(p.olds, oc)
		}
	}
	// Commune weights: a ward holds about three times the people of a rural
	// commune; a factor drawn from the code spreads sizes the way real
	// communes differ, the same for every seed so that a commune is big or
	// small in every population. A commune with no predecessor at all (the
	// island special zones made from districts without communes) cannot
	// hold anyone registered before the reform and is left out.
	for i := range p.provs {
		pr := &p.provs[i]
		var cw []uint32
		for _, ci := range pr.coms {
			c := &p.coms[ci]
			w := 0.0
			if len(c.olds)+len(c.split) > 0 {
				w = 1.0
				if c.urban {
					w = 2.8
				}
				code, _ := strconv.Atoi(c.code)
				h := mix64(uint64(code) * 0x9e3779b97f4a7c15)
				w *= 0.45 + 1.3*float64(h>>11)/(1<<53) // 0.45–1.75
			}
			cw = append(cw, uint32(w*1000))
		}
		pr.comT = newTable(cw)
		if len(pr.clean) == 0 {
			return nil, fmt.Errorf("seed: province %s has no old commune with a single successor", pr.info.code)
		}
	}
	var cw []uint32
	for _, c := range bigCities {
		i := slices.IndexFunc(p.provs, func(pr province) bool { return pr.info.code == c.code })
		p.cityP = append(p.cityP, int32(i))
		cw = append(cw, c.weight)
	}
	p.cities = newTable(cw)

	return p, nil
}

// pickSite draws a commune of province pi by size, and one of its
// predecessors: one that went whole into it where there is one (43
// communes have only predecessors that were split). A household in a split
// commune cannot be placed today without its address, and the registry
// refuses later joins to such a household (see the package report), so
// they are kept to the few communes that leave no choice.
func (p *places) pickSite(r *rng, pi int32) site {
	pr := &p.provs[pi]
	ni := pr.coms[pr.comT.pick(r)]
	c := &p.coms[ni]
	if len(c.olds) > 0 {
		return site{nc: ni, oc: c.olds[r.intn(len(c.olds))]}
	}
	return site{nc: ni, oc: c.split[r.intn(len(c.split))]}
}

// originSite returns the site of an old commune with a single successor.
func (p *places) originSite(oi int32) site { return site{nc: p.olds[oi].succ, oc: oi} }

// code returns the commune code of s in force on day z.
func (p *places) code(s site, z day) string {
	if z < p.reform {
		return p.olds[s.oc].code
	}
	return p.coms[s.nc].code
}

// name returns the name of the commune of s in force on day z.
func (p *places) name(s site, z day) string {
	if z < p.reform {
		return p.olds[s.oc].name
	}
	return p.coms[s.nc].name
}

// pidCode is the place code of a personal ID number issued on issued for a
// birth registered at s on registered (place.Catalogue.PIDPlaceCode, read
// from the index: no old commune was split between two provinces).
func (p *places) pidCode(s site, registered, issued day) string {
	if registered < p.reform && issued < p.reform {
		return p.olds[s.oc].pidCode
	}
	return p.provs[p.coms[s.nc].prov].pidNew
}

func (p *places) prov(s site) int32 { return p.coms[s.nc].prov }

func (p *places) region(s site) region { return p.provs[p.prov(s)].info.region }

// homeTown returns the home town code for a person born on born whose
// family comes from old commune oi: the old commune for births before the
// reform, its successor after (a code must be in force on the birth date
// or today).
func (p *places) homeTown(oi int32, born day) string {
	if born < p.reform {
		return p.olds[oi].code
	}
	return p.coms[p.olds[oi].succ].code
}

// cityProvince draws the province of a temporary residence away from home.
func (p *places) cityProvince(r *rng) int32 { return p.cityP[p.cities.pick(r)] }

// originFor draws the old commune a person living at s comes from: the
// place itself for most, elsewhere for the share of migrants the province
// attracts.
func (p *places) originFor(r *rng, s site) int32 {
	pr := &p.provs[p.prov(s)]
	if r.chance(pr.info.stay) {
		if o := &p.olds[s.oc]; o.succ >= 0 && r.chance(0.75) {
			return s.oc
		}
		return pr.clean[r.intn(len(pr.clean))]
	}
	q := &p.provs[p.provT.pick(r)]
	return q.clean[r.intn(len(q.clean))]
}
