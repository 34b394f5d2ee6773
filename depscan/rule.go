package depscan

import (
	"errors"
	"fmt"
)

// ErrNoRule is returned by ParseRule when the data holds no make rule.
var ErrNoRule = errors.New("depscan: no make rule")

// ParseRule parses the make rules a compiler prints for -M or writes for
// -MD and returns the prerequisites of every rule that has some, in order,
// without duplicates. Rules without prerequisites (the phony targets of
// -MP) add nothing. It understands continuation lines (also with CRLF),
// backslash-escaped spaces, '#' and ':', "$$" for '$', comments, and the
// order-only separator '|'.
func ParseRule(data []byte) ([]string, error) {
	p := &ruleParser{data: data, seen: map[string]bool{}, out: []string{}}
	if err := p.parse(); err != nil {
		return nil, err
	}
	if !p.rules {
		return nil, ErrNoRule
	}
	return p.out, nil
}

type ruleParser struct {
	data []byte
	line int // 1-based, for errors

	word       []byte
	inWord     bool
	words      int  // words of the current rule before its ':' (targets)
	afterColon bool // the current rule's ':' was seen
	prevColon  bool // the last byte was that ':'
	rules      bool // a rule was seen
	seen       map[string]bool
	out        []string
}

func (p *ruleParser) parse() error {
	p.line = 1
	for i := 0; i < len(p.data); {
		c := p.data[i]
		colon := false
		switch {
		case c == '\\':
			i = p.backslashes(i)
		case c == '$':
			p.add('$')
			i++
			if i < len(p.data) && p.data[i] == '$' {
				i++
			}
		case c == ' ' || c == '\t' || c == '\r':
			p.flush()
			i++
		case c == '\n':
			if err := p.endRule(); err != nil {
				return err
			}
			p.line++
			i++
		case c == ':' && !p.afterColon:
			p.flush()
			p.afterColon = true
			colon = true
			i++
		case c == ':' && p.prevColon:
			i++ // the second colon of "::"
		case c == '#' && !p.inWord:
			i = p.skipComment(i)
		default:
			p.add(c)
			i++
		}
		p.prevColon = colon
	}
	return p.endRule()
}

// backslashes handles a run of backslashes at data[i] and what follows it,
// and returns the index after what it consumed.
func (p *ruleParser) backslashes(i int) int {
	k := 0
	for i+k < len(p.data) && p.data[i+k] == '\\' {
		k++
	}
	j := i + k
	var next byte
	if j < len(p.data) {
		next = p.data[j]
	}
	switch {
	case next == '\n' || (next == '\r' && j+1 < len(p.data) && p.data[j+1] == '\n'):
		// Continuation line: the last backslash joins the lines.
		p.addN('\\', k-1)
		p.flush()
		if next == '\r' {
			j++
		}
		p.line++
		return j + 1
	case next == ' ' || next == '\t' || next == '#' || next == ':':
		p.addN('\\', k/2)
		if k%2 == 1 {
			p.add(next)
			return j + 1
		}
		return j
	}
	p.addN('\\', k)
	return j
}

func (p *ruleParser) skipComment(i int) int {
	for i < len(p.data) && p.data[i] != '\n' {
		i++
	}
	return i
}

func (p *ruleParser) add(c byte) {
	p.word = append(p.word, c)
	p.inWord = true
}

func (p *ruleParser) addN(c byte, n int) {
	for ; n > 0; n-- {
		p.add(c)
	}
}

// flush ends the current word.
func (p *ruleParser) flush() {
	if !p.inWord {
		return
	}
	w := string(p.word)
	p.word, p.inWord = p.word[:0], false
	switch {
	case !p.afterColon:
		p.words++
	case w == "|" || p.seen[w]:
	default:
		p.seen[w] = true
		p.out = append(p.out, w)
	}
}

// endRule ends the current line at an unescaped newline.
func (p *ruleParser) endRule() error {
	p.flush()
	switch {
	case p.afterColon && p.words == 0:
		return fmt.Errorf("depscan: line %d: rule without target", p.line)
	case !p.afterColon && p.words > 0:
		return fmt.Errorf("depscan: line %d: missing ':' in rule", p.line)
	case p.afterColon:
		p.rules = true
	}
	p.afterColon, p.words = false, 0
	return nil
}
