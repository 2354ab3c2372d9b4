package sanctions

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// xmlStream is one streaming pass over an XML list (OFAC ENHANCED_XML,
// OFAC advanced, UN consolidated): the parsers share the reading, the size
// limit and the "<format> line N" errors, and differ only in what they do
// with each start element.
type xmlStream struct {
	d      *xml.Decoder
	format string // names the format in errors: "OFAC XML", "UN XML"
}

// scanXML reads r (up to the input limit) and calls visit for each start
// element in document order; visit may decode the element whole with
// s.decode, which moves the stream past it. A document without a root
// element (named root) is refused as "not <what>".
func scanXML(r io.Reader, format, root, what string, visit func(s *xmlStream, se *xml.StartElement) error) error {
	b, err := readLimited(r)
	if err != nil {
		return err
	}
	s := &xmlStream{d: xml.NewDecoder(bytes.NewReader(b)), format: format}
	sawRoot := false
	for {
		tok, err := s.d.Token()
		if errors.Is(err, io.EOF) {
			if !sawRoot {
				return fmt.Errorf("not %s: no %s element", what, root)
			}
			return nil
		}
		if err != nil {
			return s.lineError(err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		sawRoot = sawRoot || se.Name.Local == root
		if err := visit(s, &se); err != nil {
			return err
		}
	}
}

// decode reads the element se starts into v.
func (s *xmlStream) decode(v any, se *xml.StartElement) error {
	if err := s.d.DecodeElement(v, se); err != nil {
		return s.lineError(err)
	}
	return nil
}

// lineError wraps err with the format and the line the decoder stopped at.
func (s *xmlStream) lineError(err error) error {
	line, _ := s.d.InputPos()
	return fmt.Errorf("%s line %d: %w", s.format, line, err)
}
