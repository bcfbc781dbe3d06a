package clean

import (
	"strings"
	"testing"
)

func TestCleanHelpers(t *testing.T) {
	t.Run("Text", func(t *testing.T) {
		tests := map[string]string{
			"  Phường Phú Xuân\n":     "Phường Phú Xuân",
			"Xã Cò  Nòi":              "Xã Cò Nòi",
			"Thu\u0323y":              "Thụy", // decomposed dot below
			"THÀNH PHỐ HÀ NỘI  ":      "THÀNH PHỐ HÀ NỘI",
			"Nhập một  phần\u00a0 ":   "Nhập một phần",
			"Tỉnh Bà Rịa - Vũng Tàu ": "Tỉnh Bà Rịa - Vũng Tàu",
		}
		for in, want := range tests {
			if got := Text(in); got != want {
				t.Errorf("Text(%q) = %q, want %q", in, got, want)
			}
		}
	})
	t.Run("Fold", func(t *testing.T) {
		same := [][2]string{
			{"Phường Yên Hoà", "Phường Yên Hòa"},
			{"Xã Điềm Thuỵ", "Xã Điềm Thụy"},
			{"Thị Trấn Yên Minh", "Thị trấn Yên Minh"},
			{"Xã Ea M' Doal", "Xã Ea M'Doal"},
			{"Xã Đắk R’Măng", "Xã Đắk R'Măng"},
		}
		for _, p := range same {
			if Fold(p[0]) != Fold(p[1]) {
				t.Errorf("Fold(%q) != Fold(%q)", p[0], p[1])
			}
		}
		if Fold("Xã Cổ Bi") == Fold("Xã Đặng Xá") || Fold("Xã Sà Phìn") == Fold("Xã Xà Phìn") {
			t.Error("Fold merges different names")
		}
	})
}

// TestCleanRejects feeds the cleaner small tables with defects it must not
// paper over.
func TestCleanRejects(t *testing.T) {
	jan := "Tỉnh Thành Phố,Mã TP,Quận Huyện,Mã QH,Phường Xã,Mã PX,Cấp,Tên Tiếng Anh\n" +
		"Thành phố Hà Nội,01,Quận Ba Đình,001,Phường Phúc Xá,00001,Phường,\n"
	convHead := "Đơn vị hành chính từ ngày 01/7/2025,,,Đơn vị hành chính trước ngày 01/7/2025,,,,,\n" +
		"\"Tỉnh, thành phố\",Tên Xã mới,Mã Xã mới,Tên Xã cũ,Mã Xã cũ,Ghi chú,Quận/huyện,Tỉnh cũ,\n" +
		"THÀNH PHỐ HÀ NỘI,,,,,,,,\n"
	row := func(note string) string {
		return "Thành phố Hà Nội (01),Phường Hồng Hà,00097,Phường Phúc Xá,00001," + note + ",Quận Ba Đình (001),Thành phố Hà Nội (01),\n"
	}
	t.Run("accepts", func(t *testing.T) {
		out, err := Clean(strings.NewReader(jan), strings.NewReader(convHead+row("Nhập toàn bộ")))
		if err != nil {
			t.Fatal(err)
		}
		if out.Stats.OldCommunes != 1 || out.Stats.NewCommunes != 1 || out.Stats.CommuneSuccessions != 1 {
			t.Errorf("stats %+v", out.Stats)
		}
	})
	tests := map[string]struct{ jan, conv string }{
		"unknown note":           {jan, convHead + row("Chia đôi")},
		"bad old district":       {jan, convHead + strings.Replace(row("Nhập toàn bộ"), "(001)", "(999)", 1)},
		"new province not coded": {jan, convHead + strings.Replace(row("Nhập toàn bộ"), "Thành phố Hà Nội (01),Phường", "Thành phố Hà Nội,Phường", 1)},
		"bad jan header":         {strings.Replace(jan, "Mã PX", "Mã", 1), convHead + row("Nhập toàn bộ")},
		"duplicate jan code":     {jan + "Thành phố Hà Nội,01,Quận Ba Đình,001,Phường Trúc Bạch,00001,Phường,\n", convHead + row("Nhập toàn bộ")},
		"unknown commune kind":   {strings.Replace(jan, "Phường Phúc Xá", "Khu Phúc Xá", 1), convHead + row("Nhập toàn bộ")},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := Clean(strings.NewReader(tt.jan), strings.NewReader(tt.conv)); err == nil {
				t.Error("Clean accepted it")
			}
		})
	}
}
