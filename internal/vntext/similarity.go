package vntext

import (
	"bytes"
	"sort"
	"strings"
	"unicode/utf8"
)

// Scores and weights of Similarity.
const (
	// scoreCaseOnly is the score of names that differ only in case (and tone
	// placement): "NGUYỄN VĂN AN" and "Nguyễn Văn An".
	scoreCaseOnly = 0.99
	// scoreFoldEqual is the score of names equal under Fold that differ in
	// diacritics: "Nguyễn Văn An" and "Nguyen Van An".
	scoreFoldEqual = 0.97
	// tokenThreshold is the least Jaro–Winkler similarity for two tokens to
	// be paired at all; below it they count as unrelated.
	tokenThreshold = 0.75
	// unmatchedWeight is the share of its length that a token left without
	// a partner costs.
	unmatchedWeight = 0.5
	// scoreOrdered and scoreDisordered bound the token-alignment score: its
	// maximum is scoreOrdered when the paired tokens come in the same order,
	// falling linearly to scoreDisordered when every pair is inverted.
	scoreOrdered    = 0.96
	scoreDisordered = 0.92
	// maxExactTokens bounds the smaller side for the exact assignment; longer
	// names are aligned greedily.
	maxExactTokens = 8
	// maxTokens and maxTokenRunes bound the work on absurd input: only the
	// first maxTokens tokens of a name, and the first maxTokenRunes runes of
	// a token, are compared.
	maxTokens     = 32
	maxTokenRunes = 64
)

// Similarity scores how alike the personal names a and b are, in [0,1]:
//
//   - 1 when SameSpelling(a, b) (tone placement and whitespace aside, the
//     same text). Similarity("", "") is 1.
//   - 0 when either name has no letter or digit and they are not the same
//     spelling: Similarity("", "An") == Similarity("-", "") == 0.
//   - 0.99 when they differ only in case: "NGUYỄN VĂN AN", "Nguyễn Văn An".
//   - 0.97 when they are equal under Fold but differ in diacritics:
//     "Nguyen Van An", "Nguyễn Văn An".
//   - otherwise below 0.96, from an alignment of the folded tokens that does
//     not assume their order, because names of ethnic minorities ("H'Hen Niê",
//     "Y Moan Ênuôl") do not follow the Kinh surname–middle–given order and
//     data entry often swaps parts. Each pair of tokens scores its
//     Jaro–Winkler similarity (0 below 0.75); the best one-to-one pairing
//     maximises the sum of those scores weighted by the lengths of both
//     tokens. With L the total length of the paired tokens and U that of the
//     unpaired ones, the base score is
//     sum(weight × similarity) / (L + U/2),
//     which is then scaled by 0.96 when the pairs keep their order, down to
//     0.92 when every pair is inverted (Kendall concordance).
//
// Typical values for three-part names: a one-letter typo 0.86–0.95, the
// same parts in another order 0.93, a missing middle name 0.88, only the
// surname in common 0.64, nothing in common below 0.4. Similarity is
// symmetric and allocates nothing for names of usual length. To bound the
// work on absurd input, only the first 32 tokens of a name and the first 64
// letters of a token take part in the alignment.
func Similarity(a, b string) float64 {
	if a == b {
		return 1
	}
	var ba, bb [64]byte
	fa := appendFold(ba[:0], a)
	fb := appendFold(bb[:0], b)
	if bytes.Equal(fa, fb) {
		ca, cb := Canonical(a), Canonical(b)
		switch {
		case ca == cb:
			return 1
		case len(fa) == 0:
			return 0
		case strings.EqualFold(ca, cb):
			return scoreCaseOnly
		}
		return scoreFoldEqual
	}
	if len(fa) == 0 || len(fb) == 0 {
		return 0
	}
	// Orient the pair so that the result does not depend on argument order:
	// rows are the side with more tokens, ties broken by the folded text.
	na, nb := bytes.Count(fa, []byte{' '}), bytes.Count(fb, []byte{' '})
	if na < nb || na == nb && bytes.Compare(fa, fb) > 0 {
		fa, fb = fb, fa
	}
	var ta, tb [8]token
	rows, cols := splitTokens(ta[:0], fa), splitTokens(tb[:0], fb)
	return alignTokens(fa, fb, rows[:min(len(rows), maxTokens)], cols[:min(len(cols), maxTokens)])
}

// token is a folded token, f[start:end] of its folded name f, and its length
// in runes. (Offsets rather than a sub-slice keep the folded names, and so the
// whole of Similarity, off the heap.)
type token struct {
	start, end, n int
}

func splitTokens(dst []token, f []byte) []token {
	for start := 0; start < len(f); {
		end := bytes.IndexByte(f[start:], ' ')
		if end < 0 {
			end = len(f)
		} else {
			end += start
		}
		dst = append(dst, token{start: start, end: end, n: utf8.RuneCount(f[start:end])})
		start = end + 1
	}
	return dst
}

// alignTokens scores the tokens rows of fr against the tokens cols of fc,
// len(rows) >= len(cols) >= 1.
func alignTokens(fr, fc []byte, rows, cols []token) float64 {
	n, m := len(rows), len(cols)

	// Pair weights: (len_i + len_j) × JW, or 0 below the threshold.
	var wbuf [64]float64
	var w []float64
	if n*m <= len(wbuf) {
		w = wbuf[:n*m]
	} else {
		w = make([]float64, n*m)
	}
	for i, r := range rows {
		for j, c := range cols {
			s := jaroWinkler(fr[r.start:r.end], fc[c.start:c.end])
			if s < tokenThreshold {
				s = 0
			}
			w[i*m+j] = float64(r.n+c.n) * s
		}
	}

	// match[i] is the column paired with row i, or -1.
	var mbuf [8]int
	var match []int
	if n <= len(mbuf) {
		match = mbuf[:n]
	} else {
		match = make([]int, n)
	}
	if m <= maxExactTokens && n <= 4*maxExactTokens {
		assignExact(w, n, m, match)
	} else {
		assignGreedy(w, n, m, match)
	}

	// Base score: paired weight over paired length plus the discounted
	// length of the unpaired tokens.
	var num, den float64
	for _, c := range cols {
		den += unmatchedWeight * float64(c.n)
	}
	for i, j := range match {
		if j < 0 {
			den += unmatchedWeight * float64(rows[i].n)
			continue
		}
		num += w[i*m+j]
		den += float64(rows[i].n) + (1-unmatchedWeight)*float64(cols[j].n)
	}
	if num == 0 || den == 0 {
		return 0
	}
	// Order concordance of the pairs.
	pairs, concordant := 0, 0
	for i := range match {
		if match[i] < 0 {
			continue
		}
		for k := i + 1; k < n; k++ {
			if match[k] < 0 {
				continue
			}
			pairs++
			if match[i] < match[k] {
				concordant++
			}
		}
	}
	order := 1.0
	if pairs > 0 {
		order = float64(concordant) / float64(pairs)
	}
	score := num / den * (scoreDisordered + (scoreOrdered-scoreDisordered)*order)
	return min(max(score, 0), 1)
}

// tieBreak favours, among pairings of equal weight, the one that keeps the
// tokens in place, so that repeated tokens do not look swapped.
func tieBreak(i, n, j, m int) float64 {
	d := (float64(i)+0.5)/float64(n) - (float64(j)+0.5)/float64(m)
	if d < 0 {
		d = -d
	}
	return 1e-6 * (1 - d)
}

// assignExact finds the pairing of rows to columns with the largest total
// weight by dynamic programming over the subsets of columns (m <= 8).
func assignExact(w []float64, n, m int, match []int) {
	masks := 1 << m
	size := (n + 1) * masks
	var vbuf [128]float64
	var cbuf [128]int8
	var tbuf [64]float64
	var val, wt []float64
	var choice []int8
	if size <= len(vbuf) {
		val, choice = vbuf[:size], cbuf[:size]
	} else {
		val, choice = make([]float64, size), make([]int8, size)
	}
	if n*m <= len(tbuf) {
		wt = tbuf[:n*m]
	} else {
		wt = make([]float64, n*m)
	}
	for i := range n {
		for j := range m {
			if x := w[i*m+j]; x > 0 {
				wt[i*m+j] = x + tieBreak(i, n, j, m)
			}
		}
	}
	const unreachable = -1.0
	for k := 1; k < masks; k++ {
		val[k] = unreachable
	}
	val[0] = 0
	for i := range n {
		prev, cur := val[i*masks:(i+1)*masks], val[(i+1)*masks:(i+2)*masks]
		ch := choice[(i+1)*masks : (i+2)*masks]
		row := wt[i*m : (i+1)*m]
		for mask := range masks {
			best, arg := prev[mask], int8(-1) // row i unpaired
			for j, x := range row {
				bit := 1 << j
				if x == 0 || mask&bit == 0 || prev[mask^bit] < 0 {
					continue
				}
				if v := prev[mask^bit] + x; v > best {
					best, arg = v, int8(j)
				}
			}
			cur[mask], ch[mask] = best, arg
		}
	}
	last := val[n*masks : (n+1)*masks]
	mask := 0
	for k := range masks {
		if last[k] > last[mask] {
			mask = k
		}
	}
	for i := n - 1; i >= 0; i-- {
		j := choice[(i+1)*masks+mask]
		match[i] = int(j)
		if j >= 0 {
			mask ^= 1 << j
		}
	}
}

// assignGreedy pairs rows and columns by decreasing weight.
func assignGreedy(w []float64, n, m int, match []int) {
	idx := make([]int, 0, n*m)
	for k, x := range w {
		if x > 0 {
			idx = append(idx, k)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return w[idx[a]] > w[idx[b]] })
	for i := range match {
		match[i] = -1
	}
	used := make([]bool, m)
	for _, k := range idx {
		i, j := k/m, k%m
		if match[i] < 0 && !used[j] {
			match[i], used[j] = j, true
		}
	}
}

// jaroWinkler returns the Jaro–Winkler similarity of a and b (prefix scale
// 0.1, prefix of at most 4, boost only above a Jaro similarity of 0.7).
func jaroWinkler(a, b []byte) float64 {
	if bytes.Equal(a, b) {
		return 1
	}
	if isASCIIBytes(a) && isASCIIBytes(b) {
		a, b = a[:min(len(a), maxTokenRunes)], b[:min(len(b), maxTokenRunes)]
		return winkler(a, b, jaro(a, b))
	}
	var abuf, bbuf [maxTokenRunes]rune
	x, y := toRunes(abuf[:0], a), toRunes(bbuf[:0], b)
	return winkler(x, y, jaro(x, y))
}

// winkler adds to the Jaro similarity j of a and b the bonus for their
// common prefix.
func winkler[T byte | rune](a, b []T, j float64) float64 {
	if j <= 0.7 {
		return j
	}
	l := 0
	for l < 4 && l < len(a) && l < len(b) && a[l] == b[l] {
		l++
	}
	return j + float64(l)*0.1*(1-j)
}

func isASCIIBytes(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// toRunes appends to dst the first maxTokenRunes runes of b.
func toRunes(dst []rune, b []byte) []rune {
	for len(b) > 0 && len(dst) < maxTokenRunes {
		if b[0] < utf8.RuneSelf {
			dst = append(dst, rune(b[0]))
			b = b[1:]
			continue
		}
		r, n := utf8.DecodeRune(b)
		dst = append(dst, r)
		b = b[n:]
	}
	return dst
}

// jaro returns the Jaro similarity of a and b, compared element by element.
func jaro[T byte | rune](a, b []T) float64 {
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	window := max(la, lb)/2 - 1
	if window < 0 {
		window = 0
	}
	var fa, fb [maxTokenRunes]bool
	var ma, mb []bool
	if la <= len(fa) && lb <= len(fb) {
		ma, mb = fa[:la], fb[:lb]
	} else {
		ma, mb = make([]bool, la), make([]bool, lb)
	}
	matches := 0
	for i, r := range a {
		lo, hi := max(0, i-window), min(lb-1, i+window)
		for j := lo; j <= hi; j++ {
			if !mb[j] && b[j] == r {
				ma[i], mb[j] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	half, k := 0, 0
	for i, r := range a {
		if !ma[i] {
			continue
		}
		for !mb[k] {
			k++
		}
		if r != b[k] {
			half++
		}
		k++
	}
	m := float64(matches)
	return (m/float64(la) + m/float64(lb) + (m-float64(half)/2)/m) / 3
}
