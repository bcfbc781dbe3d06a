// Command gencatalog cleans the published tables of Viet Nam's
// administrative units and writes the files that package place embeds.
//
// Run it from internal/place with go generate; see data/README.md.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"

	"dancu/internal/place/internal/clean"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("gencatalog: ")
	src := flag.String("src", "../../../shared/data/places", "directory holding "+clean.JanFile+" and "+clean.ConvFile)
	out := flag.String("out", "data", "directory to write "+clean.UnitsFile+", "+clean.SuccessionsFile+" and "+clean.AnomaliesFile+" into")
	flag.Parse()
	res, err := clean.FromDir(*src)
	if err != nil {
		log.Fatal(err)
	}
	names := make([]string, 0, len(res.Files))
	for n := range res.Files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(*out, n), res.Files[n], 0o644); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("%+v\n", res.Stats)
}
