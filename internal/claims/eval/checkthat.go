package eval

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/basira-org/basira/internal/claims"
)

// Split is a set of queries with their qrels.
type Split struct {
	Queries []Query
	Qrels   Qrels
}

// Benchmark is a CheckThat! claim-retrieval data set: the verified claims
// and its splits. Train is for training only; Dev (and DevTest) for
// reporting.
type Benchmark struct {
	Name       string
	Collection []claims.Claim
	Train, Dev Split
	// DevTest is the English 2022 dev-test split (nil for Arabic 2021).
	DevTest *Split
}

// LoadArabic2021 reads CheckThat! 2021 Task 2A Arabic from dir (the
// claims/ar-ct2021-2a folder of the reference data).
func LoadArabic2021(dir string) (*Benchmark, error) {
	b := &Benchmark{Name: "ar-ct2021-2a"}
	var err error
	if b.Collection, err = LoadCollection(filepath.Join(dir, "CT2021-Task2A-AR-Verified_Claims.PARTIAL_reconstructed.tsv")); err != nil {
		return nil, err
	}
	if b.Train, err = LoadSplit(filepath.Join(dir, "CT2021-Task2A-AR-Train_Queries.txt"), filepath.Join(dir, "CT2021-Task2A-AR-Train_QRELs.txt")); err != nil {
		return nil, err
	}
	if b.Dev, err = LoadSplit(filepath.Join(dir, "CT2021-Task2A-AR-Dev_Queries.txt"), filepath.Join(dir, "CT2021-Task2A-AR-Dev_QRELs.txt")); err != nil {
		return nil, err
	}
	return b, nil
}

// LoadEnglish2022 reads CheckThat! 2022 Task 2A English from dir (the
// claims/en-ct2022-2a folder). Train and Dev share one queries file; each
// split keeps the queries its qrels name.
func LoadEnglish2022(dir string) (*Benchmark, error) {
	b := &Benchmark{Name: "en-ct2022-2a"}
	var err error
	if b.Collection, err = LoadCollection(filepath.Join(dir, "CT2022-Task2A-EN-vclaims.jsonl")); err != nil {
		return nil, err
	}
	qf := filepath.Join(dir, "CT2022-Task2A-EN-Train-Dev_Queries.tsv")
	if b.Train, err = LoadSplit(qf, filepath.Join(dir, "CT2022-Task2A-EN-Train_QRELs.tsv")); err != nil {
		return nil, err
	}
	if b.Dev, err = LoadSplit(qf, filepath.Join(dir, "CT2022-Task2A-EN-Dev_QRELs.tsv")); err != nil {
		return nil, err
	}
	dt, err := LoadSplit(filepath.Join(dir, "CT2022-Task2A-EN-Dev-Test_Queries.tsv"), filepath.Join(dir, "CT2022-Task2A-EN-Dev-Test_QRELs.tsv"))
	if err != nil {
		return nil, err
	}
	b.DevTest = &dt
	return b, nil
}

// LoadANS reads ANS cast as claim retrieval from dir (the claims/ar-ans
// folder): Arabic news headlines, and paraphrases and contradicting
// variants of them as queries. Apache-2.0, so it may train a shipped model.
func LoadANS(dir string) (*Benchmark, error) {
	b := &Benchmark{Name: "ar-ans"}
	var err error
	if b.Collection, err = LoadCollection(filepath.Join(dir, "collection.tsv")); err != nil {
		return nil, err
	}
	if b.Train, err = LoadSplit(filepath.Join(dir, "train_queries.tsv"), filepath.Join(dir, "train_qrels.txt")); err != nil {
		return nil, err
	}
	if b.Dev, err = LoadSplit(filepath.Join(dir, "dev_queries.tsv"), filepath.Join(dir, "dev_qrels.txt")); err != nil {
		return nil, err
	}
	return b, nil
}

// LoadCollection reads a verified-claims file in any format claims.Decode
// knows; any item left out is an error (evaluation needs all of them). An
// item imported without a part (a date in an unknown layout) is kept.
func LoadCollection(path string) ([]claims.Claim, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cs, itemErrs, err := claims.Decode(f, claims.SniffFormat(path, nil), claims.Options{})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, ie := range itemErrs {
		if !ie.Kept {
			return nil, fmt.Errorf("%s: %v (and %d more)", path, ie, claims.Rejected(itemErrs)-1)
		}
	}
	return cs, nil
}

// LoadSplit reads a queries file and a qrels file and keeps the queries
// that the qrels name.
func LoadSplit(queriesPath, qrelsPath string) (Split, error) {
	var s Split
	qf, err := os.Open(queriesPath)
	if err != nil {
		return s, err
	}
	defer qf.Close()
	qs, err := ReadQueries(qf)
	if err != nil {
		return s, fmt.Errorf("%s: %w", queriesPath, err)
	}
	rf, err := os.Open(qrelsPath)
	if err != nil {
		return s, err
	}
	defer rf.Close()
	if s.Qrels, err = ReadQrels(rf); err != nil {
		return s, fmt.Errorf("%s: %w", qrelsPath, err)
	}
	for _, q := range qs {
		if s.Qrels[q.ID] != nil {
			s.Queries = append(s.Queries, q)
		}
	}
	if len(s.Queries) != len(s.Qrels) {
		return s, fmt.Errorf("%s names %d queries but %s holds %d of them", qrelsPath, len(s.Qrels), queriesPath, len(s.Queries))
	}
	return s, nil
}
