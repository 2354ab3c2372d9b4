// One case: what it is, its evidence (posts with highlights and a card
// per signal), then only the actions its status allows, its referrals,
// and its history with appeals and their reasons.
import { t, name, num, plural } from "./i18n.js";
import { el, ltr, shown, date, meta, sevBadge, flash, table } from "./dom.js";
import { api, errText } from "./api.js";
import { session, ticket } from "./shell.js";
import { evidence, highlight } from "./evidence.js";

// Other modules add to the case view (the debunk desk's box): each
// function gets the case, the pane, and stale() telling it the pane moved on.
const shownHooks = [];
export const onCaseShown = (fn) => { shownHooks.push(fn); };
let draws = 0;

// postBox shows a post of a case: where it stands at its source (removed,
// edited), its text with the spans of the signals found on that text, the
// earlier texts of an edited post, and an evidence card per signal.
function postBox(p) {
  const spansOf = (v) => p.signals.filter((s) => (s.version || 1) === v).flatMap((s) => s.spans || []);
  const version = p.version || 1;
  return el("div", { class: "post" },
    meta(ltr(p.platform || ""), ltr(p.id), p.lang ? el("span", {}, t("post_lang"), ": ", shown(name("lang", p.lang))) : null, p.url ? ltr(p.url) : null, date(p.posted_at)),
    p.removed_at ? el("div", { class: "removed" }, meta(t("removed_at_source"), date(p.removed_at), p.removed_reason ? el("bdi", {}, shown(p.removed_reason)) : null)) : null,
    p.edited_at ? meta(t("edited") + " (v" + num(version) + ")", date(p.edited_at)) : null,
    el("div", { class: "text", dir: "auto" }, ...highlight(p.text, spansOf(version))),
    ...(p.versions || []).map((v) => el("div", { class: "earlier" },
      meta(t("earlier_text") + " (v" + num(v.version) + ")"),
      el("div", { class: "text", dir: "auto" }, ...highlight(v.text, spansOf(v.version))))),
    ...p.signals.map((s) => evidence(s, p)));
}

function referralRow(r) {
  const overdue = r.status === "sent" && r.deadline && new Date(r.deadline) < new Date();
  return el("tr", { "data-status": r.status }, el("td", {}, ltr(r.platform)), el("td", {}, name("ref", r.status), overdue ? el("strong", { class: "bad" }, " · " + t("overdue")) : ""),
    el("td", {}, plural("n_attempts", r.attempts)), el("td", {}, r.deadline ? date(r.deadline) : ""),
    el("td", { dir: "auto" }, r.answer || ""));
}

const historyRow = (x) => el("tr", { class: x.action === "appeal" ? "appeal" : "" },
  el("td", {}, date(x.at)), el("td", {}, ltr(x.actor)), el("td", {}, name("action", x.action)), el("td", { dir: "auto" }, x.rationale));

// campaign shows how a case spread: its posts per day.
function campaign(posts) {
  if (posts.length < 2) return null;
  const days = new Map();
  for (const p of posts) {
    const d = (p.posted_at || p.ingested_at || "").slice(0, 10);
    if (d) days.set(d, (days.get(d) || 0) + 1);
  }
  const max = Math.max(...days.values());
  return el("div", { class: "spread" }, el("h3", {}, t("campaign_spread")),
    el("ol", { class: "bars" }, ...[...days.entries()].sort().map(([d, n]) => el("li", {},
      el("span", { class: "bar-label" }, date(d + "T12:00:00Z", { day: "numeric", month: "short" })),
      el("meter", { min: 0, max, value: n, "aria-label": d }), " ", plural("n_posts", n)))));
}

// renderCase draws case id into pane; changed is called after an action.
export async function renderCase(pane, id, changed) {
  const stale = ticket();
  const [d, refs] = await Promise.all([
    api("GET", "/v1/cases/" + id),
    // Referrals are optional (a server without them answers not_configured).
    api("GET", "/v1/referrals?case_id=" + id).then((r) => r.referrals || []).catch(() => []),
  ]);
  if (stale()) return;
  const c = d.case;
  const mine = c.assignee === session.role + ":" + session.name;
  const act = async (method, path, body) => {
    try {
      await api(method, path, body);
      flash(t("saved"));
      await renderCase(pane, id, changed);
      if (changed) changed();
    } catch (e) { flash(errText(e)); }
  };
  const parts = [
    el("h2", { id: "case-title", tabindex: "-1" }, sevBadge(c.severity), " ", name("cat", c.category), " ", el("bdi", {}, "#" + c.id), " · ", el("span", { id: "case-status" }, name("status", c.status))),
    meta(plural("n_posts", c.count), el("span", {}, t("platforms"), ": ", ltr((c.platforms || []).join(", "))),
      el("span", {}, t("first_seen"), " ", date(c.first_seen)), el("span", {}, t("last_seen"), " ", date(c.last_seen)),
      c.assignee ? el("span", {}, t("lease"), " ", ltr(c.assignee)) : null),
  ];
  const canWork = session.role === "analyst" || session.role === "admin";
  // Only the steps the case's status allows.
  if (canWork && (c.status === "new" || c.status === "appealed")) {
    parts.push(el("div", { class: "toolbar" }, el("button", { id: "claim-btn", type: "button", class: "primary", onclick: () => act("POST", `/v1/cases/${c.id}/claim`) }, t("claim"), el("kbd", {}, "c"))));
  } else if (canWork && c.status === "in_review" && mine) {
    parts.push(el("div", { class: "toolbar" }, el("button", { id: "release-btn", type: "button", onclick: () => act("POST", `/v1/cases/${c.id}/release`) }, t("release"), el("kbd", {}, "r"))));
  }
  parts.push(el("h3", {}, t("posts"), " · ", t("evidence")));
  for (const p of d.posts) parts.push(postBox(p));
  parts.push(campaign(d.posts));
  if (canWork && c.status === "in_review" && mine) parts.push(decisionForm(c, act));
  const last = d.decisions.filter((x) => x.action !== "appeal").pop();
  if (c.status === "decided" && last && last.action === "refer") parts.push(el("p", { class: "note" }, refs.length ? t("waiting_delivery") : t("no_platform")));
  if (canWork && (c.status === "actioned" || c.status === "dismissed")) parts.push(appealForm(c, act));
  parts.push(el("h3", {}, t("referrals")),
    refs.length ? table("referrals", ["platform", "status", "attempts", "deadline", "answer"], refs.map(referralRow)) : el("p", { class: "hint" }, t("no_referrals")),
    el("h3", {}, t("history")),
    d.decisions.length ? table("history", ["when", "who", "action", "reason"], d.decisions.map(historyRow)) : el("p", { class: "hint" }, t("no_history")));
  pane.replaceChildren(...parts.filter(Boolean));
  const drawn = String(++draws);
  pane.dataset.drawn = drawn;
  const moved = () => stale() || pane.dataset.drawn !== drawn;
  for (const fn of shownHooks) Promise.resolve().then(() => fn(c, pane, moved)).catch(() => {});
  // A referral is on its way: look again shortly, so the analyst sees it
  // sent and the case actioned without reloading.
  if (c.status === "decided" && last && last.action === "refer") {
    setTimeout(() => { if (!stale()) renderCase(pane, id, changed).then(changed).catch(() => {}); }, 1500);
  }
  return c;
}

function decisionForm(c, act) {
  const action = el("select", { id: "decision-action", name: "action" }, ...["refer", "debunk", "dismiss", "escalate"].map((a) => el("option", { value: a }, name("action", a))));
  const rationale = el("textarea", { id: "decision-rationale", name: "rationale", required: true });
  return el("form", { class: "decide", onsubmit: (e) => { e.preventDefault(); act("POST", `/v1/cases/${c.id}/decision`, { action: action.value, rationale: rationale.value }); } },
    el("h3", {}, t("decision")), el("label", { for: "decision-action" }, t("action_label")), action,
    el("label", { for: "decision-rationale" }, t("rationale")), rationale,
    el("button", { id: "decide-btn", class: "primary", type: "submit" }, t("decide")));
}

function appealForm(c, act) {
  const reason = el("textarea", { id: "appeal-reason", name: "reason", required: true });
  return el("form", { class: "appeal", onsubmit: (e) => { e.preventDefault(); act("POST", `/v1/cases/${c.id}/appeal`, { reason: reason.value }); } },
    el("h3", {}, t("appeal_title")), el("label", { for: "appeal-reason" }, t("appeal_reason")), reason,
    el("button", { id: "appeal-btn", class: "primary", type: "submit" }, t("appeal")));
}
