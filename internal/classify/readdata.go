package classify

import (
	"fmt"
	"strings"
)

// ParsePairs reads "a=b,c=d" (a label map, display names); "" is nil.
func ParsePairs(s string) (map[string]string, error) {
	if s == "" {
		return nil, nil
	}
	m := map[string]string{}
	for _, p := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(p, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("%q is not label=name", p)
		}
		m[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return m, nil
}

// ReadData reads one labelled data file for role (train, dev, eval,
// threshold) with its labels rewritten by labelMap, passing the first 20
// bad records to report (and a count of the rest); a file from which no
// labelled example could be read is an error.
func ReadData(path string, opt ReadOptions, labelMap map[string]string, role string, report func(string)) ([]Example, DataFile, error) {
	exs, bad, df, err := ReadFile(path, opt)
	if err != nil {
		return nil, df, err
	}
	for i, b := range bad {
		if i == 20 {
			report(fmt.Sprintf("… and %d more bad records", len(bad)-20))
			break
		}
		report(fmt.Sprintf("skipped %v", b))
	}
	exs = MapLabels(exs, labelMap)
	if len(exs) == 0 {
		return nil, df, fmt.Errorf("%s: no labelled example could be read (check --text-col, --label-col and --header)", path)
	}
	df.Role = role
	df.Rows = len(exs)
	return exs, df, nil
}
