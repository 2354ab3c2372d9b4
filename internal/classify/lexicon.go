package classify

import (
	"strings"
	"sync"

	"github.com/basira-org/basira/arabic"
)

// The jihadist lexicon: words and short phrases of the jihadist register
// in Arabic, Darija (Arabic script and Arabizi), French and English, each
// in a category. A model trained with FeatureConfig.Lexicon gets one
// "lex:" feature per category hit and one per pair of categories in the
// same post, beside its n-grams. The pairs matter: a province name alone
// is news, a province with an attack claim and a sectarian name for the
// enemy is a claim in the group's own voice. The lexicon also names what
// news and counter-speech say (the media's "Daesh", "terrorist",
// "condemn"), so the model can weigh them against the rest.
//
// Naming is never enough on its own: every entry is evidence that the
// model weighs, learned from data that holds the same words in news and
// counter-speech. Changing an entry changes the features: bump
// LexiconVersion and retrain the models that use it.
//
// Entries are written in ordinary spelling and folded by arabic.Analyze
// when the lexicon is built, so they match what the featurizer sees.
//
// Hook for designated-entity knowledge (internal/entities): entity hits
// (groups, outlets, provinces, slogans) belong here as further categories
// once that package lands; until then outlets and slogans are listed below.

// LexiconVersion names the lexicon below; a model stores it.
const LexiconVersion = "jihadist-1"

// lexCats are the categories, in feature order (at most 16).
var lexCats = []string{
	"enemy",    // sectarian and takfiri names for the enemy
	"state",    // the group as a state: caliphate, provinces, its soldiers
	"martyr",   // suicide and "immersion" operations
	"claim",    // attack-claim wording: IEDs, "perished", spoils, thanks to God for a kill
	"pledge",   // allegiance, migration, mobilisation
	"threat",   // threats and slaughter
	"jihad",    // mujahideen, jihad, "lions of tawhid"
	"outlet",   // the groups' media outlets and publications
	"takfir",   // declaring others unbelievers
	"finance",  // donation appeals, wallets
	"instruct", // weapons and explosives making, manuals
	"news",     // reporting voice: officials said, according to, police
	"daesh",    // names the group's opponents use: Daesh, khawarij
	"counter",  // terrorism, extremism, condemnation, victims
}

const (
	lexNews = iota + 11
	lexDaesh
	lexCounter
)

var lexEntries = map[string][]string{
	"enemy": {
		"الرافضة", "الروافض", "رافضي", "رافضة", "الرافضي", "الصفوي", "الصفوية", "الصفويين", "النصيري", "النصيرية", "النصيريين",
		"المرتدين", "المرتد", "مرتدين", "المرتدة", "الردة", "الصحوات", "صحوات", "الطواغيت", "الطاغوت", "طاغوت", "طواغيت",
		"الصليبيين", "الصليبي", "الصليبية", "صليبي", "المجوس", "مجوس", "اليهود والصليبيين", "عباد الصليب", "الحشد الشيعي",
		"جيش الطاغوت", "الجيش الصفوي", "الجيش النصيري", "البيشمركة المرتدة", "حزب اللات", "نصر اللات",
		"rafidah", "rafida", "rawafid", "rawafidh", "rafidi", "rafidhi", "rafidhah", "safavid", "safawi", "nusayri", "nusayris", "nusairi",
		"murtaddin", "murtadin", "murtad", "murtadd", "apostate", "apostates", "tawaghit", "tawagheet", "taghut", "taghoot", "taghout", "taghuts",
		"crusader", "crusaders", "crusade", "sahwat", "sahwa", "majus", "croisés", "croisé", "apostats", "apostat",
		"mécréants", "mécréant", "rwafd", "morted", "mortadin", "salibiyin", "taghot",
	},
	"state": {
		"الخلافة", "دولة الخلافة", "الدولة الإسلامية", "دولة الإسلام", "جنود الخلافة", "جنود الدولة", "أمير المؤمنين", "باقية وتتمدد",
		"ولاية", "ولاية سيناء", "ولاية الخير", "ولاية نينوى", "ولاية الأنبار", "ولاية غرب إفريقية", "ولاية خراسان", "ولاية الصومال",
		"الخليفة", "البغدادي", "أبو بكر البغدادي", "أسود الخلافة", "أرض الخلافة",
		"khilafah", "khilafa", "khilafat", "caliphate", "khalifah", "khalifa", "dawlah", "dawla", "dawlat", "islamic state", "islamicstate",
		"wilayat", "wilayah", "wilaya", "remaining and expanding", "baqiyah", "baqiya", "amirul muminin", "amir al muminin", "baghdadi",
		"califat", "calife", "état islamique", "soldats du califat", "soldiers of the khilafah", "soldiers of the caliphate", "ad dawlah",
		"jnoud dawla", "dawla islamiya", "khilafa islamiya", "الدولة الاسلامية في العراق والشام",
	},
	"martyr": {
		"استشهادي", "استشهادية", "استشهاديا", "العملية الاستشهادية", "عملية استشهادية", "انغماسي", "انغماسية", "انغماسيين", "الانغماسيين",
		"فارس الشهادة", "الاستشهاديين", "ينغمس", "مفخخة", "سيارة مفخخة", "حزام ناسف", "istishhadi", "istishhadis", "inghimasi", "inghimasis",
		"martyrdom operation", "martyrdom op", "martyrdom bomber", "martyrdom bombers", "martyrdom seeker", "istichhadi", "opération martyre",
		"svbied", "vbied", "vbieds", "svbieds", "booby-trapped", "suicide vest",
	},
	"claim": {
		"عبوة ناسفة", "عبوات ناسفة", "هلاك", "لهلاك", "وهلاك", "فطائس", "فطيسة", "غنائم", "اغتنام", "غنيمة", "قنص", "قناص", "دك",
		"ولله الحمد والمنة", "مما أدى لهلاك", "إعطاب", "ثكنة",
		"ghanimah", "ghaneema", "ghanima", "ghaneemah", "by the grace of allah", "killing and wounding", "sent to hell", "ied", "ieds", "detonate",
		"butin", "tamma tafjir",
	},
	"pledge": {
		"بايعنا", "نبايع", "بيعة", "البيعة", "أبايع", "يبايع", "مبايعة", "هاجروا", "انفروا", "النفير", "انفروا خفافا وثقالا",
		"الحقوا بركب", "أرض الخلافة", "الهجرة إلى أرض الخلافة",
		"bayah", "bay'ah", "baya", "bayat", "pledge allegiance", "pledged allegiance", "make hijrah", "nafir",
		"join the ranks", "join the caliphate", "join the mujahideen", "rejoignez", "rejoindre", "rejoignez les rangs", "faites la hijra", "hijra vers le califat", "hijrah to the khilafah", "hijrah to the land of",
		"bay3a", "baye3na", "hijra wajiba", "hajro", "n7ajro",
	},
	"threat": {
		"قادمون", "سنذبحكم", "ذبح", "الذبح", "بالذبح", "نذبح", "جئناكم بالذبح", "نحر", "سننحر", "سنغزوكم", "ستدفعون الثمن", "رقاب", "ضرب الرقاب",
		"سنأتيكم", "قطع الرؤوس", "الموت لكم", "أرض الملحمة",
		"we are coming", "slaughter", "slaughtered", "behead", "beheading", "beheaded", "we will come", "your blood", "we will strike",
		"égorger", "égorgerons", "nous arrivons", "vous paierez", "ghadi ndb7okom", "jayin", "jayinkom",
	},
	"jihad": {
		"المجاهدين", "المجاهدون", "مجاهد", "مجاهدي", "الجهاد", "جهاد", "جند الله", "الموحدين", "أسود التوحيد", "الإخوة المجاهدين",
		"غزوة", "الغزوة", "النكاية", "فرسان",
		"mujahideen", "mujahidin", "mujahid", "mujahedin", "moudjahidine", "moujahidine", "moujahid", "jihad", "jihadi", "fi sabilillah",
		"fisabilillah", "lions of tawheed", "lions of tawhid", "mujahideen of", "ghazwa", "ghazwah", "moujahidin", "mjahdin", "jihad fi sabil",
	},
	"outlet": {
		"أعماق", "وكالة أعماق", "الفرقان", "مؤسسة الفرقان", "الحياة للإعلام", "النبأ", "صحيفة النبأ", "دابق", "رومية", "ناشر", "السحاب", "الأندلس",
		"الزلاقة", "الكتائب", "البتار", "أجناد", "الاعتصام", "إصدار", "إصدارات", "الإصدار", "الفرات",
		"amaq", "aamaq", "amaqagency", "a'maq", "furqan", "al-furqan", "alhayat", "al-hayat", "hayat media", "al hayat media", "dabiq", "rumiyah",
		"rumiya", "naba", "al-naba", "nashir", "sahab", "as-sahab", "al-andalus", "zallaqa", "az-zallaqa", "al-kataib", "ajnad", "isdarat",
		"furat media", "al haqq media", "new release", "nasheed", "nasheeds", "anasheed", "أنشودة", "نشيد",
	},
	"takfir": {
		"تكفير", "كفار", "الكفار", "الكفرة", "مشركين", "المشركين", "المشركون", "المنافقين",
		"kuffar", "kufaar", "kufar", "kafirs", "takfir", "mushrikin", "mushrikeen", "munafiqeen", "munafiqin",
		"koffar", "kouffar", "kouffars", "mécréance", "lkoffar", "kfar",
	},
	"finance": {
		"تبرع", "تبرعوا", "ادعموا", "دعم المجاهدين", "جهزوا", "تجهيز غاز", "جهز غازيا", "محفظة", "بيتكوين", "التبرعات", "الزكاة للمجاهدين",
		"الإنفاق في سبيل الله", "أنفقوا", "donate", "donation", "donations", "bitcoin", "btc", "usdt", "tron", "wallet", "monero",
		"equip a fighter", "support the mujahideen", "sadaqah", "faites un don", "soutenez", "portefeuille", "tbr3o",
	},
	"instruct": {
		"تصنيع المتفجرات", "متفجرات", "المتفجرات", "عبوات", "كيفية صنع", "طريقة صنع", "الأحزمة", "صاعق", "سموم", "السموم",
		"explosives", "explosive", "bomb-making", "how to make", "manual", "detonator", "fabriquer", "explosifs", "fabrication", "tutorial",
		"make a bomb", "lone wolf", "knife attack", "ramming",
	},
	"news": {
		"أفادت", "قالت", "قال", "وزارة", "مصادر", "الشرطة", "أعلنت", "أعلن", "وكالة", "مراسل", "بحسب", "حسب", "وفق", "المتحدث", "السلطات",
		"تنظيم", "مسلحين", "مسلحون", "الأمن", "قوات الأمن", "الجيش", "رويترز", "الصحة", "مسؤول", "محكمة", "النيابة", "اعتقال", "القبض",
		"said", "says", "according", "reported", "reports", "officials", "official", "police", "reuters", "ministry", "authorities", "court",
		"arrested", "charged", "militants", "militant", "spokesman", "selon", "a déclaré", "autorités", "ministère", "procès", "police", "jugé",
		"condamné", "breaking", "news", "journalist", "report",
	},
	"daesh": {
		"داعش", "الدواعش", "دواعش", "داعشي", "الداعشي", "الخوارج", "خوارج", "الخارجي", "تنظيم الدولة",
		"daesh", "daech", "isis", "isil", "khawarij", "kharijites", "dae3ch", "da3ech", "da3esh", "dawa3ech",
	},
	"counter": {
		"الإرهاب", "إرهاب", "إرهابي", "إرهابية", "الإرهابي", "الإرهابية", "الإرهابيين", "التطرف", "متطرف", "المتطرفين", "ندين", "أدان", "أدانت",
		"نرفض", "الضحايا", "ضحايا", "رحم الله الضحايا", "جريمة", "جرائم", "الإسلام بريء", "براء", "الغلو", "التكفيريين", "الفكر المتطرف",
		"terror", "terrorism", "terrorist", "terrorists", "extremism", "extremist", "extremists", "condemn", "condemned", "victims", "radicalisation",
		"radicalization", "terrorisme", "terroriste", "terroristes", "victimes", "condamne", "radicalisation", "deradicalisation",
		"irhab", "irhabi", "irhabiyin", "lirhab", "not in my name",
	},
}

// lexHit is one lexicon match: a category over tokens [from, to).
type lexHit struct {
	cat      uint8
	from, to int
}

type lexicon struct {
	// keys maps the hash of a 1-3 token sequence to its category mask and
	// whether a longer entry starts with it (a trie walked by hashes).
	keys map[uint64]lexKey
}

type lexKey struct {
	mask   uint16
	prefix bool
}

var (
	lexOnce sync.Once
	lexTab  *lexicon
)

func jihadistLexicon() *lexicon {
	lexOnce.Do(func() {
		l := &lexicon{keys: map[uint64]lexKey{}}
		for ci, cat := range lexCats {
			for _, e := range lexEntries[cat] {
				toks := arabic.Analyze(e).Tokens
				if len(toks) == 0 || len(toks) > 3 {
					continue
				}
				// Every combination of spellings is a key; each shorter
				// sequence is marked as a prefix.
				var walk func(i int, h uint64)
				walk = func(i int, h uint64) {
					if i == len(toks) {
						k := l.keys[h]
						k.mask |= 1 << uint(ci)
						l.keys[h] = k
						return
					}
					if i > 0 {
						k := l.keys[h]
						k.prefix = true
						l.keys[h] = k
					}
					forEachForm(&toks[i], func(f string) { walk(i+1, lexStep(h, i, f)) })
				}
				walk(0, lexSeed)
			}
		}
		lexTab = l
	})
	return lexTab
}

// forEachForm calls fn with each spelling of a token the lexicon matches:
// its folded text, its form without proclitics and, for Arabizi, its
// Arabic-script reading.
func forEachForm(t *arabic.Token, fn func(string)) {
	fn(t.Text)
	if t.Base != "" && t.Base != t.Text {
		fn(t.Base)
	}
	if t.Translit != "" && t.Translit != t.Text {
		fn(t.Translit)
	}
}

const lexSeed = 14695981039346656037

// lexStep extends a sequence hash by one token (64-bit FNV-1a, a
// separator between tokens).
func lexStep(h uint64, i int, s string) uint64 {
	if i > 0 {
		h = (h ^ ' ') * 1099511628211
	}
	for k := 0; k < len(s); k++ {
		h = (h ^ uint64(s[k])) * 1099511628211
	}
	return h
}

// match calls fn for every lexicon hit in toks: at each position, each
// category matched by an entry starting there, once, over the longest
// such entry; a category still covered by an earlier hit is not counted
// again ("ولاية سيناء" is one state hit, not two).
func (l *lexicon) match(toks []arabic.Token, fn func(lexHit)) {
	var covered [16]int // end of the last hit of each category
	for i := range toks {
		var mask uint16
		end := i
		l.walk(toks, i, i, lexSeed, &mask, &end)
		if mask == 0 {
			continue
		}
		for c := range lexCats {
			if mask&(1<<uint(c)) != 0 && covered[c] <= i {
				fn(lexHit{cat: uint8(c), from: i, to: end})
				covered[c] = end
			}
		}
	}
}

func (l *lexicon) walk(toks []arabic.Token, start, i int, h uint64, mask *uint16, end *int) {
	t := &toks[i]
	step := func(f string) {
		h2 := lexStep(h, i-start, f)
		k, ok := l.keys[h2]
		if !ok {
			return
		}
		if k.mask != 0 {
			*mask |= k.mask
			*end = max(*end, i+1)
		}
		if k.prefix && i+1 < len(toks) && i+1-start < 3 {
			l.walk(toks, start, i+1, h2, mask, end)
		}
	}
	step(t.Text)
	if t.Base != "" && t.Base != t.Text {
		step(t.Base)
	}
	if t.Translit != "" && t.Translit != t.Text {
		step(t.Translit)
	}
}

// lexFeatures emits the lexicon features of toks: one per category hit
// (each occurrence), one per pair of distinct categories present, and the
// number of distinct positive (non-news, non-counter) categories.
func (e *extractor) lexFeatures(toks []arabic.Token) {
	if len(toks) > maxTokens {
		toks = toks[:maxTokens]
	}
	l := jihadistLexicon()
	var present uint16
	l.match(toks, func(h lexHit) {
		present |= 1 << h.cat
		hh := fnvByte(seed(groupLex), h.cat)
		var text string
		if e.spell(hh, groupWord) {
			text = "lex:" + lexCats[h.cat]
		}
		e.emit(hh, groupWord, "lexicon", text)
	})
	if present == 0 {
		return
	}
	npos := 0
	for a := 0; a < len(lexCats); a++ {
		if present&(1<<uint(a)) == 0 {
			continue
		}
		if a < lexNews {
			npos++
		}
		for b := a + 1; b < len(lexCats); b++ {
			if present&(1<<uint(b)) == 0 {
				continue
			}
			hh := fnvByte(fnvByte(seed(groupLex)+1, byte(a)), byte(b))
			var text string
			if e.spell(hh, groupWord) {
				text = "lex:" + lexCats[a] + "+" + lexCats[b]
			}
			e.emit(hh, groupWord, "lexicon", text)
		}
	}
	if npos > 0 {
		hh := fnvByte(seed(groupLex)+2, byte(min(npos, 4)))
		var text string
		if e.spell(hh, groupWord) {
			text = "lex:" + strings.Repeat("+", min(npos, 4))
		}
		e.emit(hh, groupWord, "lexicon", text)
	}
}

// lexiconSpans returns the token ranges of lexicon hits of the categories
// named in a "lex:" feature text (for explanations).
func lexiconSpans(toks []arabic.Token, feature string) [][2]int {
	name := strings.TrimPrefix(feature, "lex:")
	want := map[uint8]bool{}
	for _, part := range strings.Split(name, "+") {
		for i, c := range lexCats {
			if c == part {
				want[uint8(i)] = true
			}
		}
	}
	var out [][2]int
	jihadistLexicon().match(toks, func(h lexHit) {
		if want[h.cat] {
			out = append(out, [2]int{h.from, h.to})
		}
	})
	return out
}

// LexiconHits counts the jihadist-lexicon hits of an analysed text (all
// categories, news and counter-speech included): a cheap pre-filter and
// the cost of the lexicon features on their own.
func LexiconHits(doc *arabic.Doc) int {
	n := 0
	jihadistLexicon().match(doc.Tokens, func(lexHit) { n++ })
	return n
}
