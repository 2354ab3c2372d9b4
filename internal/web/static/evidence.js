// Evidence cards: one per signal, made for its detector (rule and terms,
// fact-check with its correction and link, payment identifiers with their
// validity and sanctions hits, hash match with a blurred greyscale
// thumbnail of the image, revealed on request).
import { t, name, num, percent } from "./i18n.js";
import { el, ltr, dl, sevBadge, safeURL } from "./dom.js";

// highlight renders text with the byte spans [start,end) of the UTF-8
// encoding marked: offsets come from the server in bytes.
export function highlight(text, spans) {
  const bytes = new TextEncoder().encode(text), dec = new TextDecoder();
  const sorted = (spans || []).filter((s) => s.end > s.start && s.end <= bytes.length).sort((a, b) => a.start - b.start);
  const out = []; let at = 0;
  for (const s of sorted) {
    if (s.start < at) continue;
    out.push(document.createTextNode(dec.decode(bytes.slice(at, s.start))));
    out.push(el("mark", {}, dec.decode(bytes.slice(s.start, s.end))));
    at = s.end;
  }
  out.push(document.createTextNode(dec.decode(bytes.slice(at))));
  return out;
}

const head = (s) => el("h4", {}, sevBadge(s.severity), " ", name("cat", s.label), " · ", name("det", s.detector), " · ", t("score"), " ", num(Number(s.score) || 0, 2));

// thumb shows a kept image small, grey and blurred; a click (or Enter)
// reveals it, another hides it again.
function thumb(m, i) {
  const img = el("img", { src: `/v1/media/${m.sha256}/thumbnail`, alt: t("image_alt", { n: i + 1 }), width: 160, loading: "lazy", decoding: "async" });
  const btn = el("button", { type: "button", class: "thumb blurred", "aria-pressed": "false", title: t("reveal_image") }, img, el("span", { class: "thumb-label" }, t("reveal_image")));
  btn.addEventListener("click", () => {
    const shown = btn.classList.toggle("blurred") === false;
    btn.setAttribute("aria-pressed", String(shown));
    btn.lastChild.textContent = shown ? t("hide_image") : t("reveal_image");
  });
  return btn;
}

export function evidence(s, post) {
  const d = s.details || {};
  switch (s.detector) {
    case "rules":
      return el("div", { class: "card rule", "data-kind": "rules" }, head(s), dl([
        ["rule", s.rule ? ltr(s.rule) : null], ["description", d.description], ["matched", s.evidence ? el("q", { dir: "auto" }, s.evidence) : null],
        ["rule_file", d.source ? ltr(d.source) : null], ["score", d.lowered_by ? t("lowered") : null]]));
    case "claims": {
      const url = safeURL(d.url);
      return el("div", { class: "card factcheck", "data-kind": "claims" }, el("h4", {}, t("factcheck"), " · ", t("score"), " ", num(Number(s.score) || 0, 2)), dl([
        ["claim_text", d.claim], ["rating", d.rating_text || d.rating], ["correction", d.correction], ["publisher", d.publisher]]),
        url ? el("p", {}, el("a", { href: url, rel: "noopener noreferrer", target: "_blank", dir: "ltr" }, t("read_factcheck"))) : null);
    }
    case "finance":
      return el("div", { class: "card finance", "data-kind": "finance" }, head(s),
        el("h4", {}, t("identifiers")),
        el("ul", {}, ...(d.identifiers || []).map((id) => el("li", { class: "identifier" },
          el("strong", {}, name("id", id.type)), id.detail ? " (" + id.detail + ")" : "", " ", ltr(id.value || id.text || ""), " ",
          el("span", { class: id.valid ? "ok" : "bad" }, id.valid ? "✓ " + t("valid") : "✗ " + t("invalid")), id.reason ? " · " + id.reason : ""))),
        ...(d.sanctions_wallets || []).concat(d.sanctions_names || []).map((h) => el("p", { class: "bad" },
          t("sanctions_hit"), ": ", ltr(h.list + (h.list_date ? " " + h.list_date : "")), " · ", h.entry, h.wallet ? el("span", {}, " · ", ltr(h.wallet)) : "")));
    case "hashmatch": {
      const pdq = d.type === "pdq";
      const kept = ((post && post.media) || []).filter((m) => /^[0-9a-f]{64}$/.test(m.sha256 || ""));
      return el("div", { class: "card hash", "data-kind": "hashmatch" }, head(s), dl([
        ["bank", d.bank ? ltr(d.bank) : null], ["entry", d.entry ? ltr(d.entry) : null], ["hash_type", d.type ? ltr(String(d.type).toUpperCase()) : null],
        ["distance", pdq && d.distance != null ? t("distance_bits").replace("{n}", num(d.distance)) : null],
        ["similarity", d.similarity > 0 ? percent(d.similarity) : null],
        ["transform", d.transform ? ltr(d.transform) : null], ["source", d.source ? ltr(d.source) : null]]),
        kept.length ? el("div", { class: "thumbs" }, ...kept.map(thumb)) : el("p", { class: "hint" }, t("image_not_kept")));
    }
  }
  return el("div", { class: "card", "data-kind": s.detector }, head(s), s.evidence ? el("q", { dir: "auto" }, s.evidence) : null);
}
