// Referrals to platforms, per platform, overdue first, with the
// platforms' answers.
import { t, name, plural } from "./i18n.js";
import { el, ltr, date, table } from "./dom.js";
import { api } from "./api.js";
import { registerPage, ticket } from "./shell.js";

const overdue = (r) => r.status === "sent" && r.deadline && new Date(r.deadline) < new Date();

registerPage("referrals", {
  nav: "nav.referrals",
  async render(view) {
    const stale = ticket();
    const data = await api("GET", "/v1/referrals?limit=500");
    if (stale()) return;
    const byPlatform = new Map();
    for (const r of data.referrals || []) {
      if (!byPlatform.has(r.platform)) byPlatform.set(r.platform, []);
      byPlatform.get(r.platform).push(r);
    }
    view.append(el("h2", {}, t("nav.referrals")));
    if (!byPlatform.size) { view.append(el("p", { class: "hint" }, t("no_referrals"))); return; }
    for (const [platform, rs] of [...byPlatform.entries()].sort()) {
      // Overdue first, then the nearest deadline, then the newest.
      rs.sort((a, b) => (overdue(b) - overdue(a)) || String(a.deadline || "~").localeCompare(String(b.deadline || "~")) || String(b.created_at).localeCompare(String(a.created_at)));
      const late = rs.filter(overdue).length;
      view.append(el("section", { class: "platform", "data-platform": platform },
        el("h3", {}, ltr(platform), " · ", plural("n_referrals", rs.length), late ? el("strong", { class: "bad" }, " · " + plural("n_overdue", late)) : ""),
        table(null, ["case", "status", "sent", "deadline", "answer"], rs.map((r) => el("tr", { "data-status": r.status, class: overdue(r) ? "overdue" : "" },
          el("td", {}, el("a", { href: `#/queue?status=all&case=${r.case_id}` }, el("bdi", {}, "#" + r.case_id))),
          el("td", {}, name("ref", r.status), overdue(r) ? el("strong", { class: "bad" }, " · " + t("overdue")) : ""),
          el("td", {}, date(r.sent_at)), el("td", {}, date(r.deadline)), el("td", { dir: "auto" }, r.answer || r.last_error || ""))))));
    }
  },
});
