package dedup

import (
	"encoding/binary"
	"fmt"
	"time"
	"unsafe"

	"dancu/internal/civil"
)

// arena stores records compactly: each record is a run of bytes (varints
// and length-prefixed strings) in a chunk, and refs locates it. A chunk is
// never written again once a record is in it and never moves, so strings
// decoded from it point into it without copying (a Record the size of a
// Go struct with eleven strings would take about twice the memory).
type arena struct {
	chunks [][]byte
	refs   []uint64 // chunk<<32 | offset
}

const chunkSize = 1 << 20

// Flags of an encoded record.
const (
	flagDead   = 1 << 0
	flagMale   = 1 << 1
	flagFemale = 1 << 2
	flagSex    = 1 << 3 // another sex value, stored as a string
)

func (a *arena) len() int { return len(a.refs) }

// add stores r with the folds of its names.
func (a *arena) add(r *Record, nameFold, motherFold, fatherFold string) {
	var buf [512]byte
	b := buf[:0]
	b = binary.AppendVarint(b, r.Key)
	b = binary.AppendVarint(b, r.MotherKey)
	b = binary.AppendVarint(b, r.FatherKey)
	if d := r.BirthDate; d.IsZero() {
		b = append(b, 0)
	} else {
		b = append(b, 1+byte(d.Precision()), byte(d.Month()), byte(d.Day()))
		b = binary.AppendUvarint(b, uint64(d.Year()))
	}
	var flags byte
	if r.Dead {
		flags |= flagDead
	}
	switch r.Sex {
	case "":
	case "male":
		flags |= flagMale
	case "female":
		flags |= flagFemale
	default:
		flags |= flagSex
	}
	b = append(b, flags)
	if flags&flagSex != 0 {
		b = appendStr(b, r.Sex)
	}
	b = appendStr(b, r.PID)
	b = appendStr(b, r.FullName)
	b = appendFold(b, r.FullName, nameFold)
	b = appendStr(b, r.BirthPlace)
	b = appendStr(b, r.Province)
	b = appendStr(b, r.Commune)
	b = appendStr(b, r.MotherName)
	b = appendFold(b, r.MotherName, motherFold)
	b = appendStr(b, r.FatherName)
	b = appendFold(b, r.FatherName, fatherFold)
	b = binary.AppendUvarint(b, uint64(len(r.LegacyIDs)))
	for _, id := range r.LegacyIDs {
		b = appendStr(b, id)
	}
	b = appendStr(b, r.HomeTown)
	b = binary.AppendUvarint(b, uint64(len(r.Addresses)))
	for _, a := range r.Addresses {
		b = appendStr(b, a.Place)
		b = appendStr(b, a.Text)
	}
	b = binary.AppendUvarint(b, uint64(len(r.Phones)))
	for _, p := range r.Phones {
		b = appendStr(b, p)
	}

	n := len(a.chunks)
	if n == 0 || cap(a.chunks[n-1])-len(a.chunks[n-1]) < len(b) {
		a.chunks = append(a.chunks, make([]byte, 0, max(chunkSize, len(b))))
		n++
	}
	c := &a.chunks[n-1]
	a.refs = append(a.refs, uint64(n-1)<<32|uint64(len(*c)))
	*c = append(*c, b...)
}

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendFold stores the fold of raw: 0 when it is raw itself.
func appendFold(b []byte, raw, fold string) []byte {
	if fold == raw {
		return append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(fold))+1)
	return append(b, fold...)
}

// decoder reads one encoded record.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = fmt.Errorf("dedup: corrupt arena")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = fmt.Errorf("dedup: corrupt arena")
		return 0
	}
	d.b = d.b[n:]
	return v
}

// str returns the next string, pointing into the chunk.
func (d *decoder) str() string {
	n := int(d.uvarint())
	if n == 0 || n > len(d.b) {
		return ""
	}
	s := unsafe.String(&d.b[0], n)
	d.b = d.b[n:]
	return s
}

func (d *decoder) fold(raw string) string {
	n := int(d.uvarint())
	if n == 0 {
		return raw
	}
	n--
	if n == 0 || n > len(d.b) {
		return ""
	}
	s := unsafe.String(&d.b[0], n)
	d.b = d.b[n:]
	return s
}

// get decodes record i into r (reusing its slices) and returns the folds
// of its full, mother's and father's names.
func (a *arena) get(i int, r *Record) (nameFold, motherFold, fatherFold string) {
	ref := a.refs[i]
	d := decoder{b: a.chunks[ref>>32][uint32(ref):]}
	ids, addrs, phones := r.LegacyIDs[:0], r.Addresses[:0], r.Phones[:0]
	*r = Record{}
	r.Key = d.varint()
	r.MotherKey = d.varint()
	r.FatherKey = d.varint()
	if p := d.b[0]; p == 0 {
		d.b = d.b[1:]
	} else {
		m, day := time.Month(d.b[1]), int(d.b[2])
		d.b = d.b[3:]
		y := int(d.uvarint())
		switch civil.Precision(p - 1) {
		case civil.PrecisionDay:
			r.BirthDate = civil.NewDate(y, m, day)
		case civil.PrecisionMonth:
			r.BirthDate = civil.YearMonth(y, m)
		default:
			r.BirthDate = civil.YearOnly(y)
		}
	}
	flags := d.b[0]
	d.b = d.b[1:]
	r.Dead = flags&flagDead != 0
	switch {
	case flags&flagMale != 0:
		r.Sex = "male"
	case flags&flagFemale != 0:
		r.Sex = "female"
	case flags&flagSex != 0:
		r.Sex = d.str()
	}
	r.PID = d.str()
	r.FullName = d.str()
	nameFold = d.fold(r.FullName)
	r.BirthPlace = d.str()
	r.Province = d.str()
	r.Commune = d.str()
	r.MotherName = d.str()
	motherFold = d.fold(r.MotherName)
	r.FatherName = d.str()
	fatherFold = d.fold(r.FatherName)
	for n := d.uvarint(); n > 0; n-- {
		ids = append(ids, d.str())
	}
	r.LegacyIDs = ids
	r.HomeTown = d.str()
	for n := d.uvarint(); n > 0; n-- {
		place := d.str()
		addrs = append(addrs, Address{Place: place, Text: d.str()})
	}
	r.Addresses = addrs
	for n := d.uvarint(); n > 0; n-- {
		phones = append(phones, d.str())
	}
	r.Phones = phones
	if d.err != nil {
		panic(d.err) // the arena is written only by add: a programming error
	}
	return nameFold, motherFold, fatherFold
}
