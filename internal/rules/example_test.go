package rules_test

import (
	"fmt"

	"github.com/basira-org/basira/arabic"
	"github.com/basira-org/basira/internal/rules"
)

func ExampleSet_Match() {
	file, err := rules.Parse("example.yaml", []byte(`
lists:
  news: [اعتقال, محاكمة, according to]
rules:
  - id: join-call
    label: recruitment
    severity: high
    near: {terms: ["انضموا الينا|join us", "المجاهدين|mujahideen"], within: 4}
    none: ["@news"]
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	set, err := rules.Compile(file.Rules)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, text := range []string{
		"انضمـــوا إلَينا في صفوف المجاهدين",             // tatweel and a diacritic
		"اعتقال شاب كتب: انضموا إلينا في صفوف المجاهدين", // news: an exception
		"Join us, brothers, the mujahideen are waiting",
	} {
		for _, m := range set.Match(arabic.Analyze(text)) {
			fmt.Printf("%s: %s\n", m.Rule.ID, rules.Evidence(text, m.Spans))
		}
	}
	// Output:
	// join-call: انضمـــوا إلَينا … المجاهدين
	// join-call: Join us … mujahideen
}

func ExampleParse_errors() {
	_, err := rules.Parse("bad.yaml", []byte(`rules:
  - id: a
    label: recruitment
    severity: urgent
    near: {terms: [x, y], within: 0}
`))
	fmt.Println(err)
	// Output:
	// bad.yaml:4: rule "a": severity "urgent" must be low, medium or high
	// bad.yaml:5: near.within "0" must be a whole number of tokens from 1 to 100
}
