// Package arch holds Basira's package layers, drawn in
// docs/architecture.md and enforced by this package's test: a package may
// import packages of its own layer or of a lower one, never of a higher
// one, so dependencies point down from the commands to the foundations.
package arch

// Layers, lowest first.
const (
	Foundation = iota // text engine, post, detector contract, store and bus contracts
	Domain            // detector families, connectors, review, referral: what Basira knows
	Adapter           // store backends, NATS, the HTTP API, the pipeline: how it runs
	Assembly          // config, app: the service built once from one configuration
	Command           // internal/cli, cmd/basira: flags in, a call to app or a domain package
)

// LayerNames name the layers in messages.
var LayerNames = []string{"foundation", "domain", "adapter", "assembly", "command"}

// Layer places each package (by import path below the module, the
// longest matching prefix wins). A new package must be added here: the
// test fails for a package it cannot place.
var Layer = map[string]int{
	"arabic":                  Foundation,
	"pdq":                     Foundation,
	"vpdq":                    Foundation,
	"tmk":                     Foundation,
	"rules":                   Foundation, // the shipped rule packs (embedded files)
	"models":                  Foundation, // the shipped models (embedded files)
	"entities":                Foundation, // the shipped entity lists (embedded files)
	"internal/post":           Foundation,
	"internal/audit":          Foundation,
	"internal/auth":           Foundation,
	"internal/notify":         Foundation,
	"internal/refdata":        Foundation,
	"internal/textsig":        Foundation,
	"internal/web":            Foundation,
	"internal/detect":         Foundation,
	"internal/store":          Foundation, // the Store contract; backends are adapters
	"internal/bus":            Foundation, // the Bus contract and the in-process bus
	"internal/server/metrics": Foundation,
	"internal/arch":           Foundation,
	"internal/atomicfile":     Foundation,

	"internal/rules":       Domain,
	"internal/hashmatch":   Domain,
	"internal/classify":    Domain, // classify/eval: the measurement loops of the models commands
	"internal/claims":      Domain,
	"internal/finance":     Domain,
	"internal/sanctions":   Domain,
	"internal/media":       Domain,
	"internal/video":       Domain,
	"internal/ocr":         Domain,
	"internal/ocr/ocrtest": Domain, // test helper: renders Arabic text
	"internal/ingest":      Domain,
	"internal/review":      Domain,
	"internal/report":      Domain,
	"internal/referral":    Domain,
	"internal/demo":        Domain,
	"internal/entities":    Domain,
	"internal/campaign":    Domain,
	"internal/debunk":      Domain,
	"internal/truth":       Domain,
	"internal/account":     Domain, // people's accounts, sessions, sign-in limits

	"internal/store/sqlstore":  Adapter,
	"internal/store/sqlite":    Adapter,
	"internal/store/postgres":  Adapter,
	"internal/store/storetest": Adapter,
	"internal/bus/nats":        Adapter,
	"internal/server":          Adapter,
	"internal/pipeline":        Adapter,

	"internal/config":   Assembly,
	"internal/app":      Assembly,
	"internal/loadtest": Assembly,

	"internal/cli": Command,
	"cmd":          Command,
}

// Of returns the layer of the package at path (below the module) and
// whether the table places it.
func Of(path string) (int, bool) {
	best, layer := -1, 0
	for prefix, l := range Layer {
		if (path == prefix || len(path) > len(prefix) && path[:len(prefix)+1] == prefix+"/") && len(prefix) > best {
			best, layer = len(prefix), l
		}
	}
	return layer, best >= 0
}
