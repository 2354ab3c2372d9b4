package namematch_test

import (
	"fmt"

	"github.com/basira-org/basira/internal/sanctions/namematch"
)

func ExampleScore() {
	listed := namematch.Prepare("AIMAN MUHAMMED RABI AL-ZAWAHIRI")
	for _, q := range []string{"أيمن محمد ربيع الظواهري", "Ayman Mohammed Rabie el-Zawahiri", "Ahmed Hassan"} {
		fmt.Printf("%.2f %v\n", namematch.Score(namematch.Prepare(q), listed), namematch.Prepare(q).Keys)
	}
	// Output:
	// 0.95 [mn mhmd rb zhr]
	// 0.97 [mn mhmd rb zhr]
	// 0.33 [hmd hsn]
}
