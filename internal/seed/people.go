package seed

// Ethnicity and religion. Shares are approximate, per mille of each
// province's population, from the 2019 census as summarised in public
// sources and re-weighted onto the 2025 provinces; the Kinh are the
// remainder. Codes are the 2008 list (internal/catalog): 01 Kinh, 02 Tày,
// 03 Thái, 04 Mường, 05 Khmer, 06 Hoa, 07 Nùng, 08 Mông, 09 Dao, 10 Gia Rai,
// 11 Ê Đê, 12 Ba Na, 13 Sán Chay, 14 Chăm, 15 Cơ Ho, 16 Xơ Đăng, 17 Sán Dìu,
// 18 Hrê, 19 Ra Glai, 20 Mnông, 21 Thổ, 22 Xtiêng, 23 Khơ Mú, 24 Bru Vân
// Kiều, 25 Cơ Tu, 26 Giáy, 27 Tà Ôi, 28 Mạ, 29 Giẻ Triêng, 30 Co, 31 Chơ Ro,
// 32 Xinh Mun, 33 Hà Nhì, 34 Chu Ru, 35 Lào, 36 La Chí, 37 Kháng, 38 Phù Lá,
// 39 La Hủ, 40 La Ha, 41 Pà Thẻn, 42 Lự, 44 Chứt, 45 Lô Lô, 46 Mảng,
// 49 Cống, 50 Si La, 51 Pu Péo, 52 Rơ Măm, 53 Brâu, 54 Ơ Đu.

type share struct {
	code uint8
	pm   uint32 // per mille
}

var ethnicityByProvince = map[string][]share{
	"01": {{4, 8}, {2, 3}, {3, 1}, {7, 1}, {9, 1}, {6, 1}},
	"04": {{2, 400}, {7, 300}, {8, 110}, {9, 100}, {13, 15}, {45, 3}},
	"08": {{2, 270}, {8, 180}, {9, 130}, {7, 50}, {13, 30}, {26, 10}, {36, 5}, {38, 4}, {45, 2}, {41, 3}, {49, 1}},
	"11": {{3, 380}, {8, 350}, {23, 30}, {9, 8}, {33, 6}, {35, 5}, {37, 4}, {50, 1}},
	"12": {{3, 320}, {8, 240}, {9, 120}, {33, 60}, {26, 50}, {39, 20}, {42, 15}, {23, 10}, {49, 5}, {50, 2}, {46, 3}},
	"14": {{3, 540}, {8, 170}, {4, 80}, {9, 20}, {23, 15}, {32, 10}, {37, 10}, {40, 5}, {35, 3}},
	"15": {{8, 200}, {2, 130}, {9, 120}, {26, 20}, {7, 30}, {3, 30}, {33, 10}, {38, 5}, {4, 5}, {51, 1}},
	"19": {{2, 200}, {7, 70}, {9, 40}, {13, 20}, {8, 20}, {17, 20}, {6, 3}},
	"20": {{7, 430}, {2, 350}, {9, 40}, {6, 5}, {13, 5}, {8, 5}},
	"22": {{9, 50}, {2, 30}, {17, 20}, {13, 10}, {6, 5}},
	"24": {{7, 40}, {2, 25}, {13, 15}, {17, 15}, {6, 5}, {9, 5}},
	"25": {{4, 180}, {9, 12}, {2, 10}, {3, 10}, {17, 5}, {8, 3}},
	"31": {{6, 1}},
	"37": {{4, 6}},
	"38": {{4, 90}, {3, 60}, {8, 5}, {9, 2}, {21, 2}},
	"40": {{3, 100}, {23, 14}, {8, 11}, {21, 20}, {54, 1}},
	"44": {{24, 40}, {27, 6}, {44, 3}},
	"46": {{27, 25}, {25, 10}, {24, 2}},
	"48": {{25, 25}, {16, 12}, {29, 6}, {30, 3}},
	"51": {{16, 100}, {18, 70}, {12, 50}, {29, 20}, {30, 15}, {53, 2}, {52, 2}},
	"52": {{10, 140}, {12, 70}, {14, 5}},
	"56": {{19, 60}, {14, 45}, {15, 5}, {6, 5}},
	"66": {{11, 120}, {20, 15}, {7, 20}, {2, 20}, {8, 8}, {10, 5}, {9, 5}, {3, 5}, {4, 5}, {14, 5}, {12, 5}},
	"68": {{15, 60}, {20, 30}, {14, 15}, {19, 8}, {2, 10}, {7, 12}, {28, 10}, {6, 10}, {8, 8}, {9, 7}, {34, 5}},
	"75": {{6, 25}, {22, 35}, {7, 10}, {2, 7}, {5, 8}, {31, 4}, {28, 2}, {20, 3}},
	"79": {{6, 45}, {5, 5}, {14, 1}, {2, 2}, {7, 2}, {4, 1}},
	"80": {{5, 5}, {6, 4}, {14, 1}},
	"82": {{6, 2}},
	"86": {{5, 95}, {6, 5}},
	"91": {{5, 80}, {6, 15}, {14, 4}},
	"92": {{5, 140}, {6, 25}},
	"96": {{5, 40}, {6, 15}},
}

// religionOfKinh is, per province, the religions of the Kinh (per mille;
// "00" none is the remainder). Religion codes are dancu's own list: 01
// Buddhism, 02 Catholicism, 03 Protestantism, 04 Cao Đài, 05 Hòa Hảo. The
// census counts only declared followers, about 14% of the population;
// Catholic strongholds (Ninh Bình–Nam Định, Đồng Nai), Cao Đài (Tây Ninh)
// and Hòa Hảo (An Giang) stand out.
var religionOfKinh = map[string][]share{
	"":   {{2, 40}, {1, 20}, {3, 2}}, // elsewhere
	"01": {{2, 30}, {1, 35}, {3, 3}},
	"31": {{2, 50}, {1, 25}},
	"33": {{2, 60}, {1, 15}},
	"37": {{2, 170}, {1, 20}},
	"38": {{2, 50}, {1, 10}},
	"40": {{2, 90}, {1, 10}},
	"42": {{2, 70}, {1, 10}},
	"44": {{2, 50}, {1, 40}},
	"46": {{1, 150}, {2, 40}},
	"48": {{1, 70}, {2, 30}, {4, 10}},
	"51": {{1, 40}, {2, 20}, {4, 5}},
	"52": {{1, 60}, {2, 30}, {3, 20}},
	"56": {{1, 90}, {2, 40}},
	"66": {{2, 80}, {1, 60}, {3, 40}, {4, 5}},
	"68": {{2, 150}, {1, 80}, {3, 30}},
	"75": {{2, 250}, {1, 120}, {3, 10}, {4, 10}},
	"79": {{1, 110}, {2, 75}, {3, 6}, {4, 8}, {5, 2}},
	"80": {{4, 150}, {1, 80}, {2, 30}},
	"82": {{5, 60}, {1, 50}, {4, 20}, {2, 25}},
	"86": {{1, 80}, {2, 40}, {4, 30}},
	"91": {{5, 200}, {1, 80}, {2, 15}, {4, 10}},
	"92": {{5, 50}, {1, 100}, {2, 20}, {4, 10}},
	"96": {{1, 60}, {2, 30}, {4, 10}},
}

// relProfile is the religion mix of an ethnic group, where it depends on
// the group more than on the place: Theravada Buddhism among the Khmer,
// Brahmanism and Islam among the Chăm, Protestant and Catholic churches in
// the Central Highlands and among the Mông.
type relProfile uint8

const (
	relKinh relProfile = iota
	relOther
	relKhmer
	relCham
	relHighland
	relMong
	relHoa
	relProfiles
)

var groupReligions = [relProfiles][]share{
	relOther:    {{1, 30}, {2, 10}, {3, 10}},
	relKhmer:    {{1, 900}},
	relCham:     {{13, 450}, {6, 300}},
	relHighland: {{3, 350}, {2, 200}},
	relMong:     {{3, 200}},
	relHoa:      {{1, 350}, {2, 50}},
}

// ethInfo is how a group names people and which religions it follows.
type ethInfo struct {
	sg surnameGroup
	st style
	rp relProfile
}

func ethInfoOf(code uint8) ethInfo {
	switch code {
	case 1:
		return ethInfo{sgKinh, styleKinh, relKinh}
	case 3, 35, 42, 23, 37, 32, 40, 46, 54:
		return ethInfo{sgThai, styleKinh, relOther}
	case 4, 21, 44:
		return ethInfo{sgMuong, styleKinh, relOther}
	case 5:
		return ethInfo{sgKhmer, styleKhmer, relKhmer}
	case 6:
		return ethInfo{sgHoa, styleKinh, relHoa}
	case 8:
		return ethInfo{sgMong, styleMong, relMong}
	case 9:
		return ethInfo{sgDao, styleMong, relOther}
	case 10:
		return ethInfo{sgJarai, styleJarai, relHighland}
	case 11, 20, 19, 34, 22:
		return ethInfo{sgEde, styleEde, relHighland}
	case 12, 16, 29, 53, 52:
		return ethInfo{sgHighlandKinh, styleA, relHighland}
	case 15, 28, 31:
		return ethInfo{sgKho, styleKho, relHighland}
	case 14:
		return ethInfo{sgCham, styleKinh, relCham}
	case 18, 25, 27, 24, 30:
		return ethInfo{sgKatu, styleKinh, relOther}
	}
	return ethInfo{sgTayNung, styleKinh, relOther} // Tày, Nùng and the smaller northern groups
}

// codes2 holds "00".."99", so that codes are written without formatting.
var codes2 = func() (c [100]string) {
	for i := range c {
		c[i] = string([]byte{'0' + byte(i/10), '0' + byte(i%10)})
	}
	return
}()

// demography holds the compiled per-province tables.
type demography struct {
	eth    []table // by province index
	ethVal [][]uint8
	relK   []table // Kinh religion by province index
	relKV  [][]uint8
	relG   [relProfiles]table
	relGV  [relProfiles][]uint8
}

func compileShares(s []share) (table, []uint8) {
	var rest uint32 = 1000
	ws := []uint32{}
	vs := []uint8{}
	for _, x := range s {
		ws = append(ws, x.pm)
		vs = append(vs, x.code)
		rest -= x.pm
	}
	return newTable(append(ws, rest)), append(vs, 0)
}

func buildDemography(p *places) *demography {
	d := &demography{}
	for _, pr := range p.provs {
		t, v := compileShares(ethnicityByProvince[pr.info.code])
		// The remainder is the Kinh.
		v[len(v)-1] = 1
		d.eth = append(d.eth, t)
		d.ethVal = append(d.ethVal, v)
		rs, ok := religionOfKinh[pr.info.code]
		if !ok {
			rs = religionOfKinh[""]
		}
		t, v = compileShares(rs)
		d.relK = append(d.relK, t)
		d.relKV = append(d.relKV, v)
	}
	for rp := relOther; rp < relProfiles; rp++ {
		d.relG[rp], d.relGV[rp] = compileShares(groupReligions[rp])
	}
	return d
}

// ethnicity draws the ethnic group of someone from province pi.
func (d *demography) ethnicity(r *rng, pi int32) uint8 {
	return d.ethVal[pi][d.eth[pi].pick(r)]
}

// religion draws the religion code of someone of group eth from province pi.
func (d *demography) religion(r *rng, eth uint8, pi int32) string {
	rp := ethInfoOf(eth).rp
	if rp == relKinh {
		return codes2[d.relKV[pi][d.relK[pi].pick(r)]]
	}
	return codes2[d.relGV[rp][d.relG[rp].pick(r)]]
}
