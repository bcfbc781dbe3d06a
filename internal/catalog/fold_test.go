package catalog

import (
	"sync"
	"testing"
)

func TestFold(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Ê-đê", "ede"},
		{"Ê Đê", "ede"},
		{"H'Mông", "hmong"},
		{"H’Mông", "hmong"},
		{"Mèo", "meo"},
		{"Bru-Vân Kiều", "bruvankieu"},
		{"  Giẻ  Triêng ", "gietrieng"},
		{"Hòa Hảo", "hoahao"},
		{"Hoà Hảo", "hoahao"},
		{"Côte d'Ivoire", "cotedivoire"},
		{"Türkiye", "turkiye"},
		{"ĐƯỜNG", "duong"},
		{"Ơ Đu", "odu"},
		{"", ""},
		{"-'. ", ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := fold(tc.in); got != tc.want {
				t.Errorf("fold(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestConcurrentFirstUse(t *testing.T) {
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, ok := EthnicityByName("Kinh"); !ok {
				t.Error("Kinh not found")
			}
			if _, ok := CountryByCode("704"); !ok {
				t.Error("704 not found")
			}
		}()
	}
	wg.Wait()
}
