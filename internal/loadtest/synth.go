package loadtest

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/basira-org/basira/internal/post"
)

// Synthetic posts for the load generator and the crash tests: ordinary
// posts (news, Darija chat, religious greetings, French and English) and,
// one in hitEvery, a copy of one of a few dozen campaigns built on the
// phrases that rules/examples.yaml gives as its own match examples. Copies
// of a campaign differ in links and mentions, so they fold into one case.
var (
	synthBenign = []string{
		"أعلنت وزارة الداخلية تفكيك خلية إرهابية كانت تخطط لهجمات، وتم توقيف خمسة أشخاص حسب بيان رسمي",
		"واش كاين شي واحد عارف فين نلقى طاكسي لمحطة القطار فهاد الساعة؟",
		"قال تعالى: وتعاونوا على البر والتقوى. جمعة مباركة على الجميع",
		"الجو زوين اليوم فالرباط، غادي نمشيو للبحر مع الدراري",
		"ارتفاع أسعار الخضر في الأسواق المغربية قبيل شهر رمضان",
		"Le match de ce soir entre le Raja et le Wydad s'annonce très serré",
		"Flooding closes several roads in the north; authorities urge caution",
		"slm khouya, wach nta f dar? bghit nsowlek 3la chi 7aja",
		"نرفض التطرف بكل أشكاله، داعش لا يمثل الإسلام",
		"مبروك للمنتخب الوطني التأهل إلى نهائيات كأس إفريقيا",
		"La police a démantelé une cellule qui voulait rejoindre les rangs de Daech, selon l'enquête",
		"عاجل: زلزال بقوة 5 درجات يضرب إقليم الحوز دون خسائر",
	}
	synthHits = []string{
		"يا شباب الأمة انفروا إلى ساحات الجهاد",
		"انضموا إلينا في صفوف المجاهدين",
		"هاجروا إلى أرض الخلافة ولا تترددوا",
		"الهجرة إلى أرض الخلافة واجبة على كل موحد",
		"اجي معانا للجهاد أخويا الجنة كتسنا",
		"aji m3ana l jihad a khoya",
		"Frères, faites la hijra vers la terre du califat",
		"Rejoignez les moudjahidines au Sham",
	}
	synthPlatforms = []string{"x", "facebook", "telegram", "tiktok", "youtube"}
)

// SynthPost returns post number i of a synthetic stream (deterministic in
// i and seed). campaigns bounds the distinct campaigns; hitEvery sets the
// share of campaign posts (0: none). With campaigns 0 every flagged post is
// distinct: the rule phrase followed by random words, so that none folds
// into another's case (each opens its own).
func SynthPost(seed uint64, i, campaigns, hitEvery int) *post.Post {
	r := rand.New(rand.NewPCG(seed, uint64(i)))
	p := &post.Post{
		ID:       fmt.Sprintf("s%d-%d", seed, i),
		Platform: synthPlatforms[r.IntN(len(synthPlatforms))],
		Author:   fmt.Sprintf("a:%016x", r.Uint64()%5000),
	}
	switch {
	case hitEvery > 0 && i%hitEvery == 0 && campaigns == 0:
		p.Text = synthHits[r.IntN(len(synthHits))] + " " + randomWords(r, 12)
	case hitEvery > 0 && i%hitEvery == 0:
		c := r.IntN(campaigns)
		p.Text = fmt.Sprintf("%s رقم %d https://t.co/%x @u%d", synthHits[c%len(synthHits)], c, r.Uint32(), r.IntN(1000))
	default:
		p.Text = fmt.Sprintf("%s %d", synthBenign[r.IntN(len(synthBenign))], r.IntN(100000))
	}
	p.URL = "https://example.org/" + p.Platform + "/" + p.ID
	return p
}

var synthLetters = []rune("بتثجحخدذرزسشصضطظعغفقكلمنهوي")

// randomWords returns n words of 3 to 7 random Arabic letters.
func randomWords(r *rand.Rand, n int) string {
	var b strings.Builder
	for w := range n {
		if w > 0 {
			b.WriteByte(' ')
		}
		for range 3 + r.IntN(5) {
			b.WriteRune(synthLetters[r.IntN(len(synthLetters))])
		}
	}
	return b.String()
}
