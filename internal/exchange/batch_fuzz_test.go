package exchange

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// FuzzBatchRecord feeds arbitrary lines to the batch reader: it never
// panics, and a JSON line reads (go-json, for speed) exactly as
// encoding/json reads it when strict about unknown attributes and about
// the case of their names, and refusing text after the record: the same
// request, or a refusal both agree on; and the plan's reading of the
// number alone agrees with the whole record's.
func FuzzBatchRecord(f *testing.F) {
	for _, s := range []string{
		`{"ref":"1","idDocument":"001090012345","name":"Nguyễn Thị Bích","birthdate":"1990-03-04"}`,
		`{"idDocument":"001090012345","phoneNumber":"0912345678","gender":"FEMALE","address":"Số 1 phố Huế"}`,
		`{"idDocument":1}`, `{"idDocument":"1","foo":2}`, `{"IDDOCUMENT":"x"}`, `{"idDocument":"a\u0000b","name":"\ud800"}`,
		`[1,2]`, `null`, `{"idDocument":"1"} trailing`, `{"name":"x","name":"y"}`, "{\"name\":\"\xff\"}",
		`1,001090012345,Nguyễn Văn A,1990`, `"a,b",c`,
	} {
		f.Add([]byte(s))
	}
	header := []string{"ref", "idDocument", "name", "birthdate"}
	f.Fuzz(func(t *testing.T, line []byte) {
		line = bytes.TrimSpace(line) // as the batch reader cuts records
		parseRecord("csv", header, line)
		got, bad := parseRecord("jsonl", nil, line)
		var want batchRequest
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		err := dec.Decode(&want)
		if err == nil && len(bytes.TrimSpace(line[dec.InputOffset():])) > 0 {
			err = fmt.Errorf("text after the record")
		}
		if err == nil {
			err = exactNames(line)
		}
		switch {
		case err == nil && bad != "":
			t.Fatalf("%q: encoding/json reads %+v, the batch reader refuses: %s", line, want, bad)
		case err != nil && bad == "":
			t.Fatalf("%q: encoding/json refuses (%v), the batch reader reads %+v", line, err, got)
		case err == nil && got != want:
			t.Fatalf("%q: read as %+v, encoding/json reads %+v", line, got, want)
		}
		// The plan reads only the number, and must read the same one.
		for _, format := range []string{"jsonl", "csv"} {
			full, bad := parseRecord(format, header, line)
			number, ok := recordNumber(format, header, line)
			if ok != (bad == "") || (ok && number != strings.TrimSpace(full.IDDocument)) {
				t.Fatalf("%s %q: the plan reads number %q (well-formed %v), the record reads %q (refused: %q)", format, line, number, ok, full.IDDocument, bad)
			}
		}
	})
}

// exactNames refuses an object with an attribute whose name is not
// spelled exactly as the API spells it (encoding/json matches names
// without regard to case).
func exactNames(line []byte) error {
	var attrs map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(line))
	if err := dec.Decode(&attrs); err != nil {
		return err
	}
	known := map[string]bool{"ref": true}
	for _, f := range reflect.VisibleFields(reflect.TypeFor[VerifyRequest]()) {
		known[strings.Split(f.Tag.Get("json"), ",")[0]] = true
	}
	for name := range attrs {
		if !known[name] {
			return fmt.Errorf("unknown attribute %q", name)
		}
	}
	return nil
}
