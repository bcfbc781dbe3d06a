package place

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"dancu/internal/place/internal/clean"
)

// sourceDir is where the published tables live in the development tree
// (/work/shared/data/places seen from internal/place). CI checkouts may not
// have it; PLACE_SOURCE_DIR overrides it.
func sourceDir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("PLACE_SOURCE_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "data", "places")
	}
	if _, err := os.Stat(filepath.Join(dir, clean.JanFile)); os.IsNotExist(err) {
		tb.Skipf("source tables not found in %s; skipping the up-to-date check", dir)
	}
	return dir
}

// TestGeneratedUpToDate re-runs the cleaning on the source tables and
// compares the result with the checked-in (embedded) files. Run
// `go generate ./internal/place` when it fails.
func TestGeneratedUpToDate(t *testing.T) {
	out, err := clean.FromDir(sourceDir(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{clean.UnitsFile, clean.SuccessionsFile, clean.AnomaliesFile} {
		t.Run(name, func(t *testing.T) {
			have, err := os.ReadFile(filepath.Join("data", name))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(have, out.Files[name]) {
				t.Errorf("data/%s is out of date: run go generate ./internal/place", name)
			}
		})
	}
	t.Run("embedded copies", func(t *testing.T) {
		for _, name := range []string{clean.UnitsFile, clean.SuccessionsFile} {
			emb, err := dataFS.ReadFile("data/" + name)
			if err != nil || !bytes.Equal(emb, out.Files[name]) {
				t.Errorf("embedded %s differs from the generator's output (%v)", name, err)
			}
		}
	})
	t.Run("stats", func(t *testing.T) {
		// The numbers quoted in data/README.md.
		want := clean.Stats{
			JanRows: 10056, ConvRecords: 10607, ConvSections: 34, ConvRows: 10571,
			OldProvinces: 63, OldDistricts: 696, OldCommunes: 10054, IslandDistricts: 5, InterimCommunes: 3,
			NewProvinces: 34, NewCommunes: 3321,
			CommuneSuccessions: 10566, OrphanCommunes: 18, WholeToPartial: 1,
			RepointedRows: 11, NameMatched: 1, Duplicates: 0, NameDiffers: 174, Unchanged: 127,
			NFCFields: 91, SpaceFields: 1632,
		}
		if out.Stats != want {
			t.Errorf("stats\n%+v, want\n%+v", out.Stats, want)
		}
	})
}
