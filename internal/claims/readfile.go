package claims

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
)

// ReadFile decodes a fact-check file in format (sniffed from its name and
// first bytes when empty), passing each bad item (and each part of an item
// imported without it) to report, with the file's name. It returns the
// number of items left out.
func ReadFile(path, format string, report func(error)) ([]Claim, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	fmtName := Format(format)
	if fmtName == "" {
		head, _ := br.Peek(4096)
		fmtName = SniffFormat(path, head)
	}
	cs, itemErrs, err := Decode(br, fmtName, Options{})
	for _, ie := range itemErrs {
		report(fmt.Errorf("%s: %w", path, ie))
	}
	if err != nil {
		return cs, Rejected(itemErrs), fmt.Errorf("%s: %w", path, err)
	}
	return cs, Rejected(itemErrs), nil
}

// WorkspaceStore is the fact-check store of a workspace's claims folder.
func WorkspaceStore(dir string) *FileStore {
	return NewFileStore(filepath.Join(dir, "claims.jsonl"))
}
