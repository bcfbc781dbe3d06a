package bulk

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"dancu/internal/errs"
)

func TestReadCSV(t *testing.T) {
	data := minimalHeader + "\n" + goodLine(1) + "\n" + goodLine(2) + "\n"
	recs := readAll(t, CSV, data)
	if got := codes(recs); !slices.Equal(got, []string{"ok", "ok"}) {
		t.Fatalf("codes %v", got)
	}
	want := Row{PID: "001090000001", FullName: "Nguyễn Văn An", BirthDate: "1990-05-17", Sex: "male", RegistrationPlace: "00004"}
	if recs[0].Row != want {
		t.Errorf("row %+v", recs[0].Row)
	}
	if recs[0].Line != 2 || recs[0].Offset != int64(len(minimalHeader)+1) || recs[1].Line != 3 {
		t.Errorf("positions %d@%d, %d", recs[0].Line, recs[0].Offset, recs[1].Line)
	}
	if recs[0].Raw != goodLine(1) {
		t.Errorf("raw %q", recs[0].Raw)
	}
	if int(recs[1].Offset) != len(minimalHeader)+1+len(goodLine(1))+1 {
		t.Errorf("offset %d", recs[1].Offset)
	}
}

// TestBadInput feeds each kind of bad input the issue lists: every bad
// record comes back with its reason, and the good ones around it are read.
func TestBadInput(t *testing.T) {
	h := minimalHeader + "\n"
	g1, g2 := goodLine(1), goodLine(2)
	long := strings.Repeat("x", MaxRecordBytes+10)
	longLines := strings.Repeat(strings.Repeat("y", 100<<10)+"\n", 12)
	for _, tc := range []struct {
		name   string
		format Format
		data   string
		want   []string // per record
		field  string   // of the first problem of the first bad record
		msg    string   // in that problem's message
	}{
		{"windows-1258", CSV, h + "001090000001,Nguy\xea\xf2n V\xe3n An,1990,male,00004\n" + g2 + "\n",
			[]string{"encoding", "ok"}, "full_name", "Windows-1258"},
		{"invalid utf-8 offset", CSV, h + "001090000001,ab\xff,1990,male,00004\n",
			[]string{"encoding"}, "full_name", "offset 63"},
		{"too few fields", CSV, h + "001090000001,An,1990\n" + g2 + "\n", []string{"columns", "ok"}, "", "3 fields"},
		{"too many fields", CSV, h + g1 + ",extra\n" + g2 + "\n", []string{"columns", "ok"}, "", "6 fields"},
		{"quoted newline is one record", CSV, h + "001090000001,\"Nguyễn\nVăn An\",1990,male,00004\n" + g2 + "\n",
			[]string{"ok", "ok"}, "", ""},
		{"stray quote costs one line", CSV, h + "001090000001,\"Nguyễn Văn An,1990,male,00004\n" + g2 + "\n" + g1 + "\n",
			[]string{"syntax", "ok", "ok"}, "", "never closed"},
		{"stray quote paired with a later one", CSV, h + "001090000001,\"Nguyễn Văn An,1990,male,00004\n" + "001090000002,\"Trần Thị B\",1990,female,00004\n",
			[]string{"syntax", "ok"}, "", ""},
		{"quote not closed within the line limit", CSV, h + "001090000001,\"An,1990,male,00004\n" + strings.Repeat(g2+"\n", MaxRecordLines+3),
			append([]string{"syntax"}, slices.Repeat([]string{"ok"}, MaxRecordLines+3)...), "", "within 32 lines"},
		{"bare quote", CSV, h + "001090000001,Nguyễn \"Tom\" An,1990,male,00004\n" + g2 + "\n", []string{"syntax", "ok"}, "", "not quoted"},
		{"text after closing quote", CSV, h + "001090000001,\"Nguyễn\"x,1990,male,00004\n" + g2 + "\n", []string{"syntax", "ok"}, "", "follows the closing quote"},
		{"line over 1 MiB", CSV, h + long + "\n" + g2 + "\n", []string{"too_long", "ok"}, "", "longer than"},
		{"last line over 1 MiB", CSV, h + g2 + "\n" + long, []string{"ok", "too_long"}, "", ""},
		{"quoted field over 1 MiB", CSV, h + "001090000001,\"" + longLines + "\"\n" + g2 + "\n",
			append(append([]string{"too_long"}, slices.Repeat([]string{"columns"}, 11)...), "syntax", "ok"), "", "runs past"},
		{"blank lines", CSV, h + "\n  \n" + g1 + "\r\n\n\n" + g2, []string{"ok", "ok"}, "", ""},
		{"header only", CSV, h, nil, "", ""},
		{"header only without newline", CSV, minimalHeader, nil, "", ""},

		{"json", JSONLines, `{"pid":"001090000001","full_name":"An","birth_date":"1990","sex":"male","registration_place":"00004"}` + "\n", []string{"ok"}, "", ""},
		{"json duplicate key", JSONLines, `{"pid":"001090000001","pid":"001090000002"}` + "\n" + `{"pid":"001090000003"}`,
			[]string{"duplicate_key", "ok"}, "pid", "duplicate key pid"},
		{"json unknown keys", JSONLines, `{"pid":"001090000001","name":"An","dob":"1990"}`, []string{"unknown_field+unknown_field"}, "name", `"name" is not a column`},
		{"json number pid", JSONLines, `{"pid":1090000001}`, []string{"type"}, "pid", "leading zeros"},
		{"json array", JSONLines, `{"phones":["0912345678"]}`, []string{"type"}, "phones", `separated by ";"`},
		{"json bool and object", JSONLines, `{"sex":true,"full_name":{"a":"b"}}`, []string{"type+type"}, "sex", "not a boolean"},
		{"json null is empty", JSONLines, `{"pid":"001090000001","religion":null}`, []string{"ok"}, "", ""},
		{"json not an object", JSONLines, `["001090000001"]` + "\n" + `"x"` + "\n" + `{}`, []string{"syntax", "syntax", "ok"}, "", "one JSON object"},
		{"json trailing text", JSONLines, `{"pid":"001090000001"} {"pid":"001090000002"}`, []string{"syntax"}, "", "text follows"},
		{"json broken", JSONLines, `{"pid":"001090000001",}`, []string{"syntax"}, "", "invalid character"},
		{"json object over two lines", JSONLines, "{\"pid\":\n\"001090000001\"}\n{}", []string{"syntax", "syntax", "ok"}, "", ""},
		{"json invalid utf-8", JSONLines, "{\"full_name\":\"Nguy\xea\xf2n\"}", []string{"encoding"}, "", "offset 18"},
		{"json line over 1 MiB", JSONLines, `{"full_name":"` + long + `"}` + "\n{}", []string{"too_long", "ok"}, "", ""},
		{"json blank lines", JSONLines, "\n\r\n{}\n\n", []string{"ok"}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs := readAll(t, tc.format, tc.data)
			if got := codes(recs); !slices.Equal(got, tc.want) {
				t.Fatalf("codes %v, want %v", got, tc.want)
			}
			for _, r := range recs {
				if len(r.Problems) > 0 {
					p := r.Problems[0]
					if p.Field != tc.field || !strings.Contains(p.Message, tc.msg) {
						t.Errorf("problem %+v; want field %q, message with %q", p, tc.field, tc.msg)
					}
					if r.Row != (Row{}) {
						t.Errorf("a rejected record has a row: %+v", r.Row)
					}
					if len(r.Raw) > MaxRawBytes {
						t.Errorf("raw of %d bytes", len(r.Raw))
					}
					break
				}
			}
			// Lines and offsets increase.
			for i := 1; i < len(recs); i++ {
				if recs[i].Line <= recs[i-1].Line || recs[i].Offset <= recs[i-1].Offset {
					t.Errorf("record %d at line %d offset %d after line %d offset %d", i, recs[i].Line, recs[i].Offset, recs[i-1].Line, recs[i-1].Offset)
				}
			}
		})
	}
}

func TestQuotedNewlineLines(t *testing.T) {
	data := minimalHeader + "\n001090000001,\"Nguyễn\r\nVăn\nAn\",1990,male,00004\n" + goodLine(2) + "\n"
	recs := readAll(t, CSV, data)
	if len(recs) != 2 || recs[0].Line != 2 || recs[1].Line != 5 {
		t.Fatalf("records %+v", recs)
	}
	if recs[0].Row.FullName != "Nguyễn\r\nVăn\nAn" {
		t.Errorf("name %q", recs[0].Row.FullName)
	}
	// The reader keeps it; the check refuses a name with a line break.
	_, ps := recs[0].Row.Check(checkContext())
	if !hasProblem(ps, "full_name", CodeInvalid) {
		t.Errorf("check: %v", ps)
	}
}

func TestStrayQuoteResync(t *testing.T) {
	// The stray quote of line 2 pairs with the opening quote of line 3;
	// reading resumes at line 3, which is read as it should be.
	data := minimalHeader + "\n" +
		"001090000001,\"Nguyễn Văn An,1990,male,00004\n" +
		"001090000002,\"Trần, Thị B\",1990,female,00004\n"
	recs := readAll(t, CSV, data)
	if got := codes(recs); !slices.Equal(got, []string{"syntax", "ok"}) {
		t.Fatalf("codes %v", got)
	}
	if recs[0].Line != 2 || recs[0].Raw != "001090000001,\"Nguyễn Văn An,1990,male,00004" {
		t.Errorf("reject %d %q", recs[0].Line, recs[0].Raw)
	}
	if recs[1].Line != 3 || recs[1].Row.FullName != "Trần, Thị B" {
		t.Errorf("record %+v", recs[1])
	}
}

func TestColumnOrder(t *testing.T) {
	a := readAll(t, CSV, "pid,full_name,birth_date,sex,registration_place,phones\n001090000001,An,1990,male,00004,0912345678\n")
	b := readAll(t, CSV, "Phones, SEX ,registration_place,birth_date,full_name,pid\n0912345678,male,00004,1990,An,001090000001\n")
	if len(a) != 1 || len(b) != 1 || a[0].Row != b[0].Row || a[0].Row.Phones != "0912345678" {
		t.Fatalf("%+v\n%+v", a, b)
	}
	r, _ := NewReader(strings.NewReader("Phones, SEX ,registration_place,birth_date,full_name,pid\n"), CSV)
	if h := r.Header(); !slices.Equal(h, []string{"phones", "sex", "registration_place", "birth_date", "full_name", "pid"}) {
		t.Errorf("header %q", h)
	}
}

func TestBOMAndCRLF(t *testing.T) {
	plain := readAll(t, CSV, minimalHeader+"\n"+goodLine(1)+"\n"+goodLine(2)+"\n")
	for name, data := range map[string]string{
		"bom":      "\xef\xbb\xbf" + minimalHeader + "\n" + goodLine(1) + "\n" + goodLine(2) + "\n",
		"crlf":     minimalHeader + "\r\n" + goodLine(1) + "\r\n" + goodLine(2) + "\r\n",
		"bom crlf": "\xef\xbb\xbf" + minimalHeader + "\r\n" + goodLine(1) + "\r\n" + goodLine(2),
	} {
		recs := readAll(t, CSV, data)
		if len(recs) != 2 || recs[0].Row != plain[0].Row || recs[1].Row != plain[1].Row {
			t.Errorf("%s: %+v", name, recs)
		}
		if recs[0].Line != 2 || !strings.HasPrefix(data[recs[1].Offset:], goodLine(2)) {
			t.Errorf("%s: line %d, offset %d", name, recs[0].Line, recs[1].Offset)
		}
	}
	recs := readAll(t, JSONLines, "\xef\xbb\xbf{\"pid\":\"001090000001\"}\r\n")
	if len(recs) != 1 || recs[0].Row.PID != "001090000001" || recs[0].Offset != 3 {
		t.Errorf("json with bom: %+v", recs)
	}
}

func TestNormalisation(t *testing.T) {
	nfc := "Nguyễn Thị Thủy"
	nfd := norm.NFD.String(nfc)
	if nfd == nfc {
		t.Fatal("test needs NFD text")
	}
	// One row NFD, one NFC, one mixing both: all read the same.
	data := minimalHeader + "\n" +
		"001090000001," + nfd + ",1990,female,00004\n" +
		"001090000001," + nfc + ",1990,female,00004\n" +
		"001090000001," + norm.NFD.String("Nguyễn") + " Thị Thủy,1990,female,00004\n"
	for _, r := range readAll(t, CSV, data) {
		if r.Row.FullName != nfc {
			t.Errorf("line %d: %q", r.Line, r.Row.FullName)
		}
	}
	j := readAll(t, JSONLines, `{"full_name":"`+nfd+`","sex":"n\u1eef"}`)
	if j[0].Row.FullName != nfc || j[0].Row.Sex != "nữ" {
		t.Errorf("json: %+v", j[0].Row)
	}
}

func TestFileErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		format Format
		data   string
		code   string
		msg    []string
		fields []string
	}{
		{"empty csv", CSV, "", "empty-file", []string{"empty"}, nil},
		{"empty json", JSONLines, "", "empty-file", []string{"empty"}, nil},
		{"bom only", CSV, "\xef\xbb\xbf", "empty-file", nil, nil},
		{"blank lines only", CSV, "\n\n \r\n", "empty-file", []string{"no header"}, nil},
		{"utf-16", CSV, "\xff\xfep\x00i\x00d\x00", "encoding", []string{"UTF-16"}, nil},
		{"unknown columns", CSV, minimalHeader + ",name,dob\n", "invalid-header", []string{`unknown columns "name", "dob"`}, []string{"name", "dob"}},
		{"missing columns", CSV, "pid,full_name,phones\n", "invalid-header",
			[]string{"missing required columns birth_date, sex, registration_place or registration_country"}, []string{"birth_date", "sex", "registration_place"}},
		{"duplicate column", CSV, minimalHeader + ",pid\n", "invalid-header", []string{"twice: pid"}, []string{"pid"}},
		{"unnamed column", CSV, minimalHeader + ",\n", "invalid-header", []string{"column 6 has no name"}, []string{"column 6"}},
		{"classic mac", CSV, minimalHeader + "\r" + goodLine(1) + "\r", "invalid-header", []string{"bare carriage return"}, nil},
		{"header not utf-8", CSV, "pid,full_n\xe0me\n", "invalid-header", []string{"not UTF-8"}, nil},
		{"unknown format", Format(9), "x", "unknown-format", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewReader(strings.NewReader(tc.data), tc.format)
			var e *errs.Error
			if !errors.As(err, &e) || e.Kind != errs.Invalid || e.Code != tc.code {
				t.Fatalf("error %v, want code %s", err, tc.code)
			}
			for _, m := range tc.msg {
				if !strings.Contains(e.Message, m) {
					t.Errorf("message %q lacks %q", e.Message, m)
				}
			}
			for _, f := range tc.fields {
				if !slices.ContainsFunc(e.Fields, func(x errs.Field) bool { return x.Name == f }) {
					t.Errorf("fields %+v lack %s", e.Fields, f)
				}
			}
		})
	}
}

// nonSeeker hides Seek, as a gzip reader would.
type nonSeeker struct{ io.Reader }

func TestResume(t *testing.T) {
	csvData := minimalHeader + "\r\n" +
		goodLine(1) + "\r\n" +
		"001090000002,\"Nguyễn\nVăn\",1990,male,00004\n" +
		"\n" +
		"001090000003,\"stray,1990,male,00004\n" +
		goodLine(4) + "\n" +
		"bad,columns\n" +
		goodLine(5)
	jsonData := "{\"pid\":\"001090000001\"}\n\n{\"pid\":1}\n{\"pid\":\"001090000003\"}\n{"
	for _, tc := range []struct {
		name   string
		format Format
		data   string
	}{{"csv", CSV, csvData}, {"jsonl", JSONLines, jsonData}} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewReader(strings.NewReader(tc.data), tc.format)
			if err != nil {
				t.Fatal(err)
			}
			all := []Record{}
			positions := []Position{r.Position()}
			for {
				rec, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, rec)
				positions = append(positions, r.Position())
			}
			if len(all) < 4 {
				t.Fatalf("%d records: %v", len(all), codes(all))
			}
			for k, pos := range positions {
				for _, src := range []io.Reader{strings.NewReader(tc.data), nonSeeker{strings.NewReader(tc.data)}} {
					r, err := NewReaderAt(src, tc.format, pos)
					if err != nil {
						t.Fatalf("resume at %+v: %v", pos, err)
					}
					rest := drain(t, r)
					if !equalRecords(rest, all[k:]) {
						t.Fatalf("resumed after %d records at %+v:\n got %+v\nwant %+v", k, pos, rest, all[k:])
					}
				}
			}
			// A position that starts no line, or lies past the end, is refused.
			for _, pos := range []Position{{Offset: positions[1].Offset + 2, Line: 3}, {Offset: int64(len(tc.data)) + 10, Line: 99}, {Offset: 0, Line: 0}} {
				for _, src := range []io.Reader{strings.NewReader(tc.data), nonSeeker{strings.NewReader(tc.data)}} {
					if _, err := NewReaderAt(src, tc.format, pos); !errs.Is(err, errs.Invalid) {
						t.Errorf("resume at %+v: %v", pos, err)
					}
				}
			}
		})
	}
}

func equalRecords(a, b []Record) bool {
	return slices.EqualFunc(a, b, func(x, y Record) bool {
		return x.Line == y.Line && x.Offset == y.Offset && x.Raw == y.Raw && x.Row == y.Row && slices.Equal(x.Problems, y.Problems)
	})
}

// TestHugeInput reads a 64 MiB line and a file of many rows without
// holding either in memory.
func TestHugeInput(t *testing.T) {
	huge := io.MultiReader(
		strings.NewReader(minimalHeader+"\n"+goodLine(1)+"\n001090000002,\""),
		&repeatReader{n: 64 << 20},
		strings.NewReader("\n"+goodLine(3)+"\n"))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	r, err := NewReader(huge, CSV)
	if err != nil {
		t.Fatal(err)
	}
	recs := drain(t, r)
	runtime.ReadMemStats(&after)
	if got := codes(recs); !slices.Equal(got, []string{"ok", "too_long", "ok"}) {
		t.Fatalf("codes %v", got)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("allocated %d MiB reading a 64 MiB line", alloc>>20)
	}

	n := 200_000
	if testing.Short() {
		n = 20_000
	}
	many := &genReader{n: n, row: goodLine}
	r, err = NewReader(many, CSV)
	if err != nil {
		t.Fatal(err)
	}
	count := 0
	var peak uint64
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil || len(rec.Problems) > 0 {
			t.Fatalf("record %d: %v %v", count, err, rec.Problems)
		}
		count++
		if count%50_000 == 0 {
			runtime.GC()
			runtime.ReadMemStats(&after)
			peak = max(peak, after.HeapAlloc)
		}
	}
	if count != n {
		t.Fatalf("%d records, want %d", count, n)
	}
	if peak > before.HeapAlloc+8<<20 {
		t.Errorf("heap grew to %d MiB reading %d rows", peak>>20, n)
	}
}

// repeatReader reads n letters a.
type repeatReader struct{ n int }

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	p = p[:min(len(p), r.n)]
	for i := range p {
		p[i] = 'a'
	}
	r.n -= len(p)
	return len(p), nil
}

func TestDetectFormat(t *testing.T) {
	for _, tc := range []struct {
		name, head string
		want       Format
		code       string
	}{
		{"people.csv", "", CSV, ""},
		{"PEOPLE.CSV.GZ", "\x1f\x8b", CSV, ""},
		{"people.jsonl", "", JSONLines, ""},
		{"people.ndjson.gz", "", JSONLines, ""},
		{"export", "\xef\xbb\xbf  {\"pid\":\"1\"}", JSONLines, ""},
		{"export.txt", "pid,full_name\n", CSV, ""},
		{"export", "\x1f\x8b\x08", 0, "unknown-format"},
		{"export", "hello world\n", 0, "unknown-format"},
		{"export", "", 0, "empty-file"},
	} {
		f, err := DetectFormat(tc.name, []byte(tc.head))
		var e *errs.Error
		switch {
		case tc.code == "" && (err != nil || f != tc.want):
			t.Errorf("%s: %v %v", tc.name, f, err)
		case tc.code != "" && (!errors.As(err, &e) || e.Code != tc.code):
			t.Errorf("%s: error %v, want %s", tc.name, err, tc.code)
		}
	}
	if !IsGzip([]byte{0x1f, 0x8b, 8}) || IsGzip([]byte("pid")) {
		t.Error("IsGzip")
	}
	for _, f := range []Format{CSV, JSONLines} {
		if g, err := ParseFormat(f.String()); err != nil || g != f {
			t.Errorf("ParseFormat(%s) = %v, %v", f, g, err)
		}
	}
}

func TestRejects(t *testing.T) {
	recs := readAll(t, CSV, minimalHeader+"\n001090000001,Nguy\xean,1990,male,00004\n"+goodLine(2)+"\n")
	var b bytes.Buffer
	if err := WriteReject(&b, NewReject(recs[0], recs[0].Problems)); err != nil {
		t.Fatal(err)
	}
	_, ps := recs[1].Row.Check(checkContext())
	long := recs[1]
	long.Raw = strings.Repeat("ễ", 2000) // 6000 bytes
	if err := WriteReject(&b, NewReject(long, append(ps, Problem{Code: CodeDuplicate, Field: "pid", Message: "x"}))); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("%q", b.String())
	}
	want := `{"line":2,"offset":48,"raw":"001090000001,Nguy\ufffdn,1990,male,00004","problems":[{"code":"encoding","field":"full_name","message":"byte 0xEA at offset 65 is not UTF-8: the file may be in Windows-1258, TCVN3 (ABC) or VNI encoding; convert it to UTF-8 (for example iconv -f CP1258 -t UTF-8)"}]}`
	if lines[0] != want {
		t.Errorf("reject\n got %s\nwant %s", lines[0], want)
	}
	if !strings.Contains(lines[1], `"raw":"`+strings.Repeat("ễ", MaxRawBytes/3)+`"`) {
		t.Errorf("long reject not cut at %d bytes on a character boundary: %.200s", MaxRawBytes, lines[1])
	}
}
